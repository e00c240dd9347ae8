//! Presentation components: each file owns one view and only the local state that view needs.
//! Components receive data, signals and callbacks by props; they never read the router or call
//! the registry.

pub mod app_shell;
pub mod async_region;
pub mod attributes_panel;
pub mod breadcrumbs;
pub mod bulk_report;
pub mod confirm_dialog;
pub mod coverage_bars;
pub mod digest;
pub mod download;
pub mod error_view;
pub mod format;
pub mod lock_badges;
pub mod lock_panel;
pub mod lock_switch;
pub mod lookup_box;
pub mod manifest_facts;
pub mod manifest_table;
pub mod presets;
pub mod progress;
pub mod refusals;
pub mod repository_list;
pub mod row_select;
pub mod tag_table;
pub mod virtual_list;
