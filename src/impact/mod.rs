//! What applying a render does to the running server: the previous render's objects against the
//! new ones, as results that say what happens and what to do.

pub mod kubernetes;
pub mod quantity;
