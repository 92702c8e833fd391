//! Leads (SPEC §4): one folder per area.

pub mod intake;
