//! The knowledge base (SPEC §2.8): the article suggestions a dealer sees while typing a
//! ticket ([`suggest`]) and how often they answer the question ([`deflection`]).

pub mod deflection;
pub mod suggest;
