//! labelbox-core
