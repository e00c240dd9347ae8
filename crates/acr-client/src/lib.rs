//! Typed client for the ACR data plane (skeleton; built out in its own issue).
