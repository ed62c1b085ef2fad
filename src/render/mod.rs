//! Rendering: the minijinja environment over the theme, and the view structs templates see.

pub mod admin;
pub mod feed;
pub mod site;
pub mod sitemap;
pub mod structured;
pub mod theme;
pub mod views;

pub use site::Site;
pub use theme::Theme;
