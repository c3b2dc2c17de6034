//! labelbox-sdk
