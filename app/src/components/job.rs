//! A background job as a progress bar with its current step, updated live over the
//! WebSocket (and by polling while the socket is down), ending in the job's message
//! and a link to its result.
use domain::types::{JobState, JobView};
use leptos::prelude::*;

use crate::api::sources::{read_job, CancelJob};
use crate::live::use_live;

/// Where a job stands, merged from its last read and its live events.
#[derive(Clone, Debug, PartialEq)]
pub struct JobNow {
    pub state: JobState,
    pub percent: u8,
    pub step: String,
    pub message: Option<String>,
    pub link: Option<String>,
}

impl JobNow {
    fn from_view(job: &JobView) -> Self {
        Self {
            state: job.state,
            percent: job.progress,
            step: job.step.clone(),
            // A finished job's step holds its closing message.
            message: job
                .state
                .is_finished()
                .then(|| job.last_error.clone().unwrap_or_else(|| job.step.clone())),
            link: job.link.clone(),
        }
    }
}

/// A live view of job `job`: calls `on_finish` once when it ends.
pub fn job_now(job: JobView, on_finish: Option<Callback<JobState>>) -> Signal<JobNow> {
    let polled = RwSignal::new(JobNow::from_view(&job));
    let id = job.id.clone();
    let live = use_live();
    let now = Signal::derive({
        let id = id.clone();
        move || {
            let mut now = polled.get();
            let Some(l) = live.jobs.with(|jobs| jobs.get(&id).cloned()) else {
                return now;
            };
            if now.state.is_finished() {
                return now;
            }
            now.percent = now.percent.max(l.percent);
            if !l.step.is_empty() {
                now.step = l.step;
            }
            if now.state == JobState::Queued && l.percent > 0 {
                now.state = JobState::Running;
            }
            if let Some((state, message, link)) = l.finished {
                now.state = state;
                now.message = Some(message);
                now.link = link;
            }
            now
        }
    });
    // A poll when live updates are not flowing (socket down, or an event missed).
    #[cfg(feature = "hydrate")]
    {
        let connected = live.connected;
        let poll = move || {
            let id = id.clone();
            leptos::task::spawn_local(async move {
                if let Ok(job) = read_job(id).await {
                    polled.set(JobNow::from_view(&job));
                }
            });
        };
        let handle = set_interval_with_handle(
            move || {
                let quiet = !connected.get_untracked();
                if !polled.get_untracked().state.is_finished()
                    && (quiet || now.get_untracked().state.is_finished())
                {
                    poll();
                }
            },
            std::time::Duration::from_secs(2),
        );
        if let Ok(handle) = handle {
            on_cleanup(move || handle.clear());
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (read_job, id);
    let reported = StoredValue::new(job.state.is_finished());
    Effect::new(move |_| {
        let state = now.get().state;
        if state.is_finished() && !reported.get_value() {
            reported.set_value(true);
            if let Some(cb) = on_finish {
                cb.run(state);
            }
        }
    });
    now
}

/// The progress bar, step and outcome of a job, with Cancel while it is not done.
#[component]
pub fn JobProgress(
    job: JobView,
    #[prop(optional)] on_finish: Option<Callback<JobState>>,
    /// What the result link says ("Open the draft").
    #[prop(into, optional)]
    link_text: Option<String>,
) -> impl IntoView {
    let label = job.label.clone();
    let id = job.id.clone();
    let now = job_now(job, on_finish);
    let cancel = ServerAction::<CancelJob>::new();
    let link_text = link_text.unwrap_or_else(|| "Open the result".into());
    view! {
        <div class="job" data-state=move || now.get().state.as_str()>
            <div class="job-head">
                <span class="small">{label}</span>
                <span class=move || format!("badge job-{}", now.get().state.as_str())>{move || now.get().state.label()}</span>
            </div>
            {move || {
                let n = now.get();
                (!n.state.is_finished()).then(|| view! {
                    <progress max="100" value=n.percent aria-label="Progress">{format!("{}%", n.percent)}</progress>
                    <p class="muted small job-step" aria-live="polite">{if n.step.is_empty() { "Waiting for a worker…".to_string() } else { n.step.clone() }}</p>
                })
            }}
            {move || {
                let n = now.get();
                n.state.is_finished().then(|| {
                    let link = n.link.clone().filter(|_| n.state == JobState::Succeeded);
                    view! {
                        <p class="small job-message" role="status">{n.message.clone().unwrap_or_default()}</p>
                        {link.map(|href| view! { <a class="button secondary small" href=href>{link_text.clone()}</a> })}
                    }
                })
            }}
            {move || (!now.get().state.is_finished()).then(|| {
                let id = id.clone();
                view! {
                    <button type="button" class="link-button small" disabled=move || cancel.pending().get()
                        on:click=move |_| { cancel.dispatch(CancelJob { id: id.clone() }); }>"Cancel"</button>
                }
            })}
        </div>
    }
}

/// [`JobProgress`] on a page rendered by the server (the jobs list).
#[island(lazy)]
pub fn JobCard(job: JobView) -> impl IntoView {
    view! { <JobProgress job/> }
}
