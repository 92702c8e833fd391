//! Leads (SPEC §4): the lead CRM's use cases, one sub-folder per area.

pub mod escalation;
