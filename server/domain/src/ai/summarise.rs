//! The `ai.summarise` job: the source summariser writes a short summary of one stored
//! snapshot; its claims are checked against that snapshot and the summary is stored
//! with it, in the transaction that ends the job.
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::job::{record_usage, to_json};
use super::orchestrator::Orchestrator;
use super::{verify, Brief, SourceText};
use crate::jobs::{Committed, JobContext, JobError, JobHandler, Outcome};
use crate::store::Db;
use crate::time::now_ms;
use crate::types::{Agent, CardContent, CompetitorId, SnapshotId};

pub const AI_SUMMARISE_KIND: &str = "ai.summarise";

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SummariseRequest {
    pub snapshot_id: SnapshotId,
    #[serde(default)]
    pub regenerate: bool,
}

pub struct SummariseJob {
    db: Db,
    orchestrator: Arc<Orchestrator>,
}

impl SummariseJob {
    pub fn new(db: Db, orchestrator: Arc<Orchestrator>) -> Self {
        Self { db, orchestrator }
    }
}

#[async_trait::async_trait]
impl JobHandler for SummariseJob {
    fn kind(&self) -> &'static str {
        AI_SUMMARISE_KIND
    }

    async fn run(&self, ctx: &JobContext) -> Result<Committed, JobError> {
        let request: SummariseRequest = ctx.payload()?;
        ctx.progress(10, "Reading the stored page").await?;
        let (title, url, text, competitor_id, competitor): (
            String,
            String,
            String,
            CompetitorId,
            String,
        ) = sqlx::query_as(
            "SELECT CASE WHEN s.title <> '' THEN s.title ELSE n.title END, s.url, n.text, \
                        s.competitor_id, c.name \
                 FROM source_snapshots n JOIN sources s ON s.id = n.source_id \
                 JOIN competitors c ON c.id = s.competitor_id WHERE n.id = $1",
        )
        .bind(&request.snapshot_id)
        .fetch_one(self.db.pool())
        .await?;
        let brief = Arc::new(Brief {
            competitor,
            sources: vec![SourceText {
                snapshot_id: request.snapshot_id.clone(),
                title: title.clone(),
                url,
                text: text.clone(),
            }],
            current: CardContent::default(),
            differentiators: Vec::new(),
            section: None,
        });
        ctx.progress(30, &format!("Summarising “{title}”")).await?;
        // Every AI job is queued by someone, whose budget it spends.
        let owner = ctx
            .owner_id()
            .cloned()
            .ok_or_else(|| JobError::Fail("This AI job has no owner to charge it to.".into()))?;
        let run = self
            .orchestrator
            .run(
                &owner,
                Agent::SourceSummariser,
                brief,
                None,
                request.regenerate,
            )
            .await?;
        let mut output = run.output.clone();
        ctx.progress(85, "Checking the summary against the page")
            .await?;
        let snapshots = [(request.snapshot_id.clone(), (title.clone(), text))]
            .into_iter()
            .collect();
        // A summary claim may cite only this snapshot.
        let unverified = verify(&mut output.claims, &snapshots);
        let summary = output.content.overview.clone();
        if summary.trim().is_empty() {
            return Err(JobError::Fail(format!(
                "“{title}” has too little readable text to summarise."
            )));
        }
        let mut finish = ctx.finish().await?;
        sqlx::query("UPDATE source_snapshots SET summary = $1, summary_claims = $2 WHERE id = $3")
            .bind(&summary)
            .bind(to_json(&output.claims))
            .bind(&request.snapshot_id)
            .execute(finish.conn())
            .await?;
        record_usage(
            finish.conn(),
            &owner,
            Agent::SourceSummariser,
            &run,
            now_ms(),
        )
        .await?;
        let claims = output.claims.len();
        finish
            .succeed(Outcome {
                message: if unverified == 0 {
                    format!("Summarised “{title}” in {claims} checked points.")
                } else {
                    format!("Summarised “{title}”: {unverified} of {claims} points could not be verified.")
                },
                link: Some(format!(
                    "/competitors/{competitor_id}/sources/snapshots/{}",
                    request.snapshot_id
                )),
            })
            .await
    }
}
