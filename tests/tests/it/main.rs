//! The workspace's cross-crate checks (docs, packaging, contract, conformance), in one test
//! binary: a module per former test file (one binary to compile and link instead of one per
//! file).

mod architecture;
mod contract_table;
mod packaging_layout;
mod python_conformance;
mod readme_blocks;
mod schema_contract;
mod threat_model;
