//! Reusable views. Only `job` calls the server (to follow and cancel a job);
//! `presence` speaks over the live connection.
pub mod budget;
pub mod error;
pub mod form;
pub mod format;
pub mod guard;
pub mod job;
pub mod layout;
pub mod markdown;
pub mod pager;
pub mod presence;
