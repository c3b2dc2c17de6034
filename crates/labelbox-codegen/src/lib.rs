//! labelbox-codegen
