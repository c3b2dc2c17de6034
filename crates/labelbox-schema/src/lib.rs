//! labelbox-schema
