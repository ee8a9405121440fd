//! What applying a render does to the running server. The previous render's objects (in the
//! input, or `build --previous`) against the new ones: [`assess`] finds each effect, [`edits`]
//! says how grave each kind is, [`kubernetes`] what the API server accepts, and [`acknowledge`]
//! turns the findings into results and lets the user past an edit that needs hand work.

pub mod acknowledge;
mod assess;
mod claims;
pub mod diff;
pub mod edits;
pub mod kubernetes;
pub mod quantity;

pub use assess::{assess, server_removed, Class, Context, Finding, Object};
pub use edits::{Edit, EDITS};
