//! The one scan pipeline: every hook and `scan` target opens a [`Pipeline`] (the
//! repository, its settings, the scan options), collects and scans its own source through
//! the engine, and hands the outcome to [`Pipeline::finish`], which settles the project's
//! context, applies the ignore file, the baseline and the severity bar, writes the report and
//! gives the exit status. Commits and the staged change set have their collection here too,
//! so each is written once.

use std::path::Path;
use std::time::Instant;

use anyhow::{anyhow, bail, Context, Result};

use super::{default_jobs, Reporting};
use crate::allow::{self, Baseline, IgnoreFile};
use crate::detect::{ScanOptions, Severity};
use crate::engine::{self, ItemsAre, ParallelScan};
use crate::inventory::Inventory;
use crate::outcome::{Outcome, Scope, Status};
use crate::output;
use crate::report::human;
use crate::report::progress::Progress;
use crate::report::{json, sarif, Format};
use crate::source::commits::{NamedObject, TagMessage, Targets};
use crate::source::project::{self as project_context, ProjectLook};
use crate::source::settings::{Settings, Version, BASELINE_LIMIT};
use crate::source::{self, staged, ChangedFile, Collected, ObjectId, ObjectKind, Repo, WhenAbsent};

/// What every scan shares: the repository (when there is one), its settings and the scan
/// options they give, and when the run started.
pub struct Pipeline<'a> {
    /// The repository the scan runs in, if any.
    pub repo: Option<Repo>,
    /// git config and the defaults.
    pub settings: Settings,
    /// What the detector is told about the project.
    pub options: ScanOptions,
    /// Files larger than this are listed, not read (`zoomguard.maxFileSize`).
    pub max_file_size: u64,
    reporting: &'a Reporting,
    started: Instant,
}

/// Where the findings that count only in a Zoom project look for a sign of Zoom when no
/// scanned text showed one.
pub enum ProjectOf {
    /// The project at HEAD: its manifests and names (staged files, a commit message).
    Head,
    /// The repository's names only (files on disk, which may be outside any tree).
    RepositoryNames,
    /// Nowhere else: the scanned texts are the whole project (an image).
    OwnTexts,
    /// Already settled item by item (commits, each in its own tree).
    Settled,
}

impl<'a> Pipeline<'a> {
    /// A scan that needs a repository (hooks, ranges, history).
    pub fn in_repository(reporting: &'a Reporting) -> Result<Pipeline<'a>> {
        Pipeline::with(Some(source::open()?), reporting)
    }

    /// A scan that may run outside a repository (files, images, a commit message).
    pub fn anywhere(reporting: &'a Reporting) -> Result<Pipeline<'a>> {
        Pipeline::with(source::open().ok(), reporting)
    }

    fn with(repo: Option<Repo>, reporting: &'a Reporting) -> Result<Pipeline<'a>> {
        let started = Instant::now();
        let settings = Settings::open(repo.as_ref())?;
        let options =
            ScanOptions { project: project_context::configured(&settings)?, ..ScanOptions::default() };
        let max_file_size = settings.max_file_size()?;
        Ok(Pipeline { repo, settings, options, max_file_size, reporting, started })
    }

    /// The repository, for the scans that opened one ([`Pipeline::in_repository`]).
    pub fn repo(&self) -> Result<&Repo> {
        self.repo.as_ref().ok_or_else(|| anyhow!("this needs a git repository"))
    }

    /// Settles, allows and reports `outcome` as a scan of `scope`, and gives the status.
    pub fn finish(self, outcome: Outcome, scope: Scope, project: ProjectOf) -> Result<Status> {
        let outcome = self.settled(outcome, scope, project)?;
        self.emit(&outcome, None)
    }

    /// As [`Pipeline::finish`], with the leak inventory a history scan reports: `inventory`
    /// groups the allowed outcome's findings into credentials and finds them at HEAD.
    pub fn finish_with_inventory(
        self,
        outcome: Outcome,
        scope: Scope,
        inventory: impl FnOnce(&Repo, &mut Outcome) -> Result<Inventory>,
    ) -> Result<Status> {
        let mut outcome = self.settled(outcome, scope, ProjectOf::Settled)?;
        let inventory = inventory(self.repo()?, &mut outcome)?;
        self.emit(&outcome, Some(&inventory))
    }

    fn settled(&self, mut outcome: Outcome, scope: Scope, project: ProjectOf) -> Result<Outcome> {
        let repo = self.repo.as_ref();
        outcome.settle(|paths| {
            Ok(match project {
                ProjectOf::Head => repo.and_then(|repo| ProjectLook::at_head(repo, paths)),
                ProjectOf::RepositoryNames => repo.and_then(|r| ProjectLook::new(r).in_tree(r, None, paths)),
                ProjectOf::OwnTexts | ProjectOf::Settled => None,
            })
        })?;
        let mut outcome = outcome.finish(scope, self.started);
        self.allow_known(&mut outcome)?;
        Ok(outcome)
    }

    /// The staged files, read and scanned by worker threads one file at a time each; only
    /// files that hold findings or pairing evidence stay in memory, and are scanned again
    /// together at the end as the one change they form. A new file with a finding may be a
    /// copy of a file HEAD has: then only its edits count.
    pub fn scan_staged(&self) -> Result<Outcome> {
        let repo = self.repo()?;
        let files = staged::files(repo)?;
        let limit = self.max_file_size;
        let run = ParallelScan {
            jobs: default_jobs(),
            open: &source::open,
            collect: &|repo: &Repo, file: &ChangedFile| {
                let mut collected = Collected::with_max_file_size(limit);
                collected.add_file(repo, file, None)?;
                Ok(collected)
            },
            on_item_done: &|| {},
            items_are: ItemsAre::OneChange,
        };
        let (mut outcome, mut kept) = engine::run_each(&files, &run, &self.options, repo)?;
        let mut found = engine::scan_change_set(&kept, &self.options);
        let new_files = engine::new_files_with_findings(&found, &kept.changes);
        if !new_files.is_empty() && staged::narrow_copies(repo, &mut kept.changes, &new_files)? {
            found = engine::scan_change_set(&kept, &self.options);
        }
        outcome.absorb(found);
        Ok(outcome)
    }

    /// Collects and scans `targets` on up to `jobs` threads (this one with the pipeline's
    /// repository, the others each with a handle of its own), with a progress line on a
    /// terminal. `when_absent` says what a file whose content is absent means. Each commit is
    /// its own project state: a generic name counts when that commit's files or manifests
    /// show Zoom.
    pub fn scan_commits(&self, targets: &Targets, jobs: usize, when_absent: WhenAbsent) -> Result<Outcome> {
        let repo = self.repo()?;
        let max_file_size = self.max_file_size;
        let look = ProjectLook::new(repo);
        let progress =
            Progress::new(targets.commits.len() + targets.objects.len() + targets.tags.len(), "commits");
        // Read in the order they are packed; reported in their own (`position`).
        let mut items: Vec<Item<'_>> = source::commits::read_order(repo, &targets.commits)
            .into_iter()
            .map(|position| Item::Commit(position, targets.commits[position]))
            .collect();
        items.extend(targets.objects.iter().map(Item::Object));
        items.extend(targets.tags.iter().map(Item::Tag));
        let run = ParallelScan {
            jobs,
            open: &source::open,
            collect: &|repo: &Repo, item: &Item<'_>| match *item {
                Item::Commit(position, oid) => {
                    source::commits::changes_of(repo, oid, position, max_file_size, when_absent)
                }
                Item::Object(object) => {
                    source::commits::changes_of_object(repo, object, max_file_size, when_absent)
                }
                Item::Tag(tag) => Ok(source::commits::changes_of_tag(tag, max_file_size)),
            },
            on_item_done: &|| progress.tick(),
            items_are: ItemsAre::Separate(&|repo: &Repo, item: &Item<'_>, paths: &[&str]| {
                let tree = match *item {
                    Item::Commit(_, oid) => Some(oid),
                    Item::Object(NamedObject { kind: ObjectKind::Tree, id, .. }) => Some(*id),
                    Item::Object(_) | Item::Tag(_) => None,
                };
                Ok(look.in_tree(repo, tree, paths))
            }),
        };
        let outcome = engine::run_each(&items, &run, &self.options, repo);
        progress.finish();
        let mut outcome = outcome?.0;
        outcome.commits_scanned = targets.commits.len();
        Ok(outcome)
    }

    /// Drops what `.zoomguardignore` and the baseline (`--baseline`, else git config
    /// `zoomguard.baseline`) allow, and sets aside as notices what is below the severity bar
    /// (`--min-severity`, else git config `zoomguard.blockSeverity`, else medium in hooks). A
    /// malformed or missing named file is an error.
    fn allow_known(&self, outcome: &mut Outcome) -> Result<()> {
        let repo = self.repo.as_ref();
        // A commit carries the staged ignore file: that one decides what the commit may hold.
        let version = match outcome.scope {
            Scope::Staged | Scope::CommitMessage => Version::Staged,
            _ => Version::WorkTree,
        };
        let ignore = match source::settings::ignore_file(repo, version)? {
            Some(file) => Some(IgnoreFile::parse(&file.text, &file.name)?),
            None => None,
        };
        let baseline_path = match &self.reporting.baseline {
            Some(path) => Some(path.clone()),
            None => self.settings.baseline()?,
        };
        let baseline = match baseline_path {
            Some(path) => {
                let work_tree = repo.and_then(Repo::workdir);
                let Some(file) = source::settings::read_if_present(&path, BASELINE_LIMIT, work_tree)? else {
                    bail!("the baseline {} does not exist", path.display());
                };
                Some(Baseline::parse(&file.text, &file.name)?)
            }
            None => None,
        };
        allow::apply(outcome, ignore.as_ref(), baseline.as_ref());
        let bar = match self.reporting.min_severity {
            Some(bar) => Some(bar),
            None => self.settings.block_severity()?,
        };
        // A hook lets an expired token through with a notice; a scan reports and counts it.
        match bar {
            Some(bar) => outcome.apply_min_severity(bar),
            None if outcome.scope.is_hook() => outcome.apply_min_severity(Severity::Medium),
            None => {}
        }
        Ok(())
    }

    /// Writes the report in the chosen format and gives the exit status. A hook that blocks
    /// always explains itself on standard error, whatever the format.
    fn emit(&self, outcome: &Outcome, inventory: Option<&Inventory>) -> Result<Status> {
        let reporting = self.reporting;
        let status = outcome.status();
        if reporting.output.is_some() {
            colored::control::set_override(false);
        }
        let worth_saying = reporting.verbose || outcome.must_be_summarised();
        let human_report = || match (status, inventory) {
            // Files left unscanned are never passed over silently.
            (Status::Clean, _) => worth_saying.then(|| human::summary(outcome) + "\n"),
            (Status::Blocked, Some(inventory)) => Some(human::inventory(outcome, inventory)),
            (Status::Blocked, None) => Some(human::blocked(outcome)),
        };
        let mut stderr = std::io::stderr().lock();
        output::write_all(&mut stderr, human::notices(outcome).as_bytes()).context("writing the notices")?;
        match reporting.format {
            Format::Human => match (&reporting.output, human_report()) {
                (Some(path), report) => write_file(path, report.unwrap_or_default().as_bytes())?,
                (None, Some(report)) => {
                    output::write_all(&mut stderr, report.as_bytes()).context("writing the report")?
                }
                (None, None) => {}
            },
            Format::Json | Format::Sarif => {
                let report = match reporting.format {
                    Format::Sarif => sarif::render(outcome),
                    _ => json::render(outcome, inventory.map(|inventory| inventory.credentials.as_slice())),
                };
                match &reporting.output {
                    Some(path) => write_file(path, report.as_bytes())?,
                    None => output::write_all(&mut std::io::stdout().lock(), report.as_bytes())
                        .context("writing the report")?,
                }
                let explains_block = matches!(outcome.scope, Scope::Staged | Scope::Push | Scope::Receive);
                if status == Status::Blocked && explains_block {
                    output::write_all(&mut stderr, human::blocked(outcome).as_bytes())
                        .context("writing the report")?;
                } else if worth_saying {
                    let summary = human::summary(outcome) + "\n";
                    output::write_all(&mut stderr, summary.as_bytes()).context("writing the summary")?;
                }
            }
        }
        Ok(status)
    }
}

/// One thing [`Pipeline::scan_commits`] reads: a commit (with its place in the walk), a blob
/// or tree that a ref names, or an annotated tag's message.
enum Item<'a> {
    Commit(usize, ObjectId),
    Object(&'a NamedObject),
    Tag(&'a TagMessage),
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("writing the report to {}", path.display()))
}
