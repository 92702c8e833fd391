//! Reports (SPEC §4.6): how figures are shown and taken away — server-rendered SVG charts
//! with the table of their numbers ([`chart`]) and CSV and XLSX files with typed cells
//! ([`export`]).

pub mod chart;
