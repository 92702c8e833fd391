//! The knowledge base (SPEC §2.8): the article suggestions a dealer sees while typing a
//! ticket ([`suggest`]).

pub mod suggest;
