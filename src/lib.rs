//! The acr-console app (placeholder while the workspace is set up).
