//! Integration tests: the real app on port 0, driven over HTTP like a browser.
//! Each behaviour runs on SQLite (in-process defaults) and on PostgreSQL + Redis.
mod common;

mod accounts;
mod admin;
mod bad_input;
mod battlecards;
mod cache;
mod competitors;
mod deployment;
mod drafts;
mod exports;
mod instances;
mod integrity;
mod jobs;
mod kept_pages;
mod live;
mod newcomers;
mod operations;
mod providers;
mod races;
mod readers;
mod refusals;
mod rep_view;
mod restart;
mod search;
mod security;
mod slow_clients;
mod sources;
