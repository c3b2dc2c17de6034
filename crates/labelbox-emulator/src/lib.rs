//! labelbox-emulator
