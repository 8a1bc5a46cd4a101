//! Background jobs: your own, or (admins) everyone's with the queue's depth. Running
//! jobs show their live progress; finished ones their outcome and result.
use domain::types::{JobList, JobView};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::sources::list_jobs;
use crate::components::error::ErrorPanel;
use crate::components::format::{duration_words, format_time};
use crate::components::job::JobCard;
use crate::pages::query_param;
use crate::preload::ChunkHints;

#[component]
pub fn JobsPage() -> impl IntoView {
    let everyone = query_param("all") == "1";
    view! {
        <Title text="Jobs"/>
        <div class="page-head"><h1>"Jobs"</h1></div>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {Suspend::new(async move {
                match list_jobs(everyone).await {
                    Ok(list) => view! { <Jobs list/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Jobs(list: JobList) -> impl IntoView {
    let queue = list.queue.clone().map(|q| {
        let oldest = q
            .oldest_ready_ms
            .map(|ms| format!(" · oldest waiting {}", duration_words((ms / 1000).max(0) as u64)))
            .unwrap_or_default();
        view! {
            <p class="queue-depth" data-testid="queue-depth">
                {format!("Queue: {} ready, {} waiting to retry, {} running{oldest}", q.ready, q.waiting_retry, q.running)}
            </p>
        }
    });
    view! {
        {list.all_users.then(|| view! { <p class="muted small">"Everyone's jobs. "<a href="/jobs">"Only mine"</a></p> })}
        {(!list.all_users).then(|| view! {
            <p class="muted small">"Your jobs, newest first. "
                {list.can_see_all.then(|| view! { <a href="/jobs?all=1">"Everyone's jobs and the queue"</a> })}
            </p>
        })}
        {queue}
        {if list.jobs.is_empty() {
            view! { <p class="muted">"No jobs yet. Fetching a source or asking for an AI draft starts one."</p> }.into_any()
        } else {
            // Running jobs are live islands: one set of chunk hints for all of them.
            let running = list.jobs.iter().any(|job| !job.state.is_finished());
            view! {
                {running.then(|| view! { <ChunkHints island="job_card"/> })}
                <ul class="job-list">{list.jobs.into_iter().map(|job| view! { <li><JobRow job/></li> }).collect_view()}</ul>
            }.into_any()
        }}
    }
}

#[component]
fn JobRow(job: JobView) -> impl IntoView {
    if !job.state.is_finished() {
        return view! { <JobCard job/> }.into_any();
    }
    let message = job.last_error.clone().unwrap_or_else(|| job.step.clone());
    let owner = job
        .owner_name
        .clone()
        .map(|n| format!(" · {n}"))
        .unwrap_or_default();
    view! {
        <div class="job" data-state=job.state.as_str()>
            <div class="job-head">
                <span class="small">{job.label.clone()}</span>
                <span class=format!("badge job-{}", job.state.as_str())>{job.state.label()}</span>
            </div>
            <p class="small job-message">{message}</p>
            <p class="muted small">
                {format!("{}{owner} · attempt {} of {}", format_time(job.finished_at.unwrap_or(job.created_at)), job.attempts, job.max_attempts)}
            </p>
            {job.link.clone().map(|href| view! { <a class="small" href=href>"Open the result"</a> })}
        </div>
    }
    .into_any()
}
