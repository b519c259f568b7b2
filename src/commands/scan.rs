//! `zoomguard scan`: for CI and audits. The staged changes, a range of commits, the whole
//! history (grouped into the leak inventory), files on disk or standard input, or a container
//! image, each through the one pipeline.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{anyhow, bail, Context, Result};

use super::pipeline::{Pipeline, ProjectOf};
use super::{default_jobs, hooks, Reporting};
use crate::change::ImagePart;
use crate::engine::{self, ItemsAre, ParallelScan};
use crate::inventory::{self, Inventory};
use crate::outcome::{Outcome, Scope, Status};
use crate::output::note;
use crate::report::progress::Progress;
use crate::source::image::Whiteout;
use crate::source::{self, Repo, WhenAbsent};

/// What `zoomguard scan` looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanTarget {
    /// The staged changes, as the pre-commit hook sees them.
    Staged,
    /// The commits of a range `A..B`.
    Range(String),
    /// Every commit reachable from any ref: the leak inventory.
    History,
    /// Files and directories on disk; `-` is standard input, named `stdin_name` in reports.
    Paths {
        /// What to read.
        paths: Vec<PathBuf>,
        /// The name standard input goes by.
        stdin_name: Option<String>,
    },
    /// A container image saved to a file or an OCI layout directory.
    Image {
        /// Where it is.
        path: PathBuf,
        /// Only the images of this platform (`os/arch[/variant]`).
        platform: Option<String>,
    },
}

impl ScanTarget {
    /// The one target the `scan` flags name (clap requires exactly one of them).
    pub fn of(
        staged: bool,
        range: Option<&str>,
        history: bool,
        paths: &[PathBuf],
        stdin_name: Option<&str>,
    ) -> Self {
        match (staged, range, history) {
            (true, _, _) => ScanTarget::Staged,
            (_, Some(spec), _) => ScanTarget::Range(spec.to_owned()),
            (_, _, true) => ScanTarget::History,
            _ => ScanTarget::Paths { paths: paths.to_vec(), stdin_name: stdin_name.map(str::to_owned) },
        }
    }
}

/// `zoomguard scan`. `jobs` caps the worker threads (default: every core).
pub fn scan(target: &ScanTarget, jobs: Option<usize>, reporting: &Reporting) -> Result<Status> {
    let jobs = jobs.unwrap_or_else(default_jobs);
    match target {
        ScanTarget::Staged => hooks::pre_commit(reporting),
        ScanTarget::Range(spec) => {
            let pipeline = Pipeline::in_repository(reporting)?;
            let targets = source::commits::range_commits(pipeline.repo()?, spec)?;
            let outcome = pipeline.scan_commits(&targets, jobs, WhenAbsent::IsSkipped)?;
            pipeline.finish(outcome, Scope::Range, ProjectOf::Settled)
        }
        ScanTarget::History => history(jobs, reporting),
        ScanTarget::Image { path, platform } => image(path, platform.as_deref(), jobs, reporting),
        ScanTarget::Paths { paths, stdin_name } => files(paths, stdin_name.as_deref(), jobs, reporting),
    }
}

/// Files and directories on disk, and standard input as `-`. The files scanned together are
/// one project; outside them, only the repository's names show Zoom.
fn files(paths: &[PathBuf], stdin_name: Option<&str>, jobs: usize, reporting: &Reporting) -> Result<Status> {
    let reads_stdin = paths.iter().any(|p| p.as_os_str() == source::files::STDIN_PATH);
    if stdin_name.is_some() && !reads_stdin {
        bail!("--stdin-name names standard input: pass - as the path to scan it");
    }
    let stdin_name = stdin_name.unwrap_or(source::files::STDIN_NAME);
    let pipeline = Pipeline::anywhere(reporting)?;
    let limit = pipeline.max_file_size;
    let files = source::files::list(paths)?;
    let progress = Progress::new(files.len(), "files");
    let run = ParallelScan {
        jobs,
        open: &|| Ok(()),
        collect: &|_: &(), path: &PathBuf| match path.as_os_str() == source::files::STDIN_PATH {
            true => source::files::read_stdin(stdin_name, limit),
            false => source::files::read(path, limit),
        },
        on_item_done: &|| progress.tick(),
        items_are: ItemsAre::OneProject,
    };
    let outcome = engine::run_each(&files, &run, &pipeline.options, &());
    progress.finish();
    pipeline.finish(outcome?.0, Scope::Files, ProjectOf::RepositoryNames)
}

/// `zoomguard scan --history`: every commit of every ref, grouped into the leak inventory.
fn history(jobs: usize, reporting: &Reporting) -> Result<Status> {
    let pipeline = Pipeline::in_repository(reporting)?;
    let targets = source::commits::all_commits(pipeline.repo()?)?;
    let outcome = pipeline.scan_commits(&targets, jobs, WhenAbsent::IsSkipped)?;
    pipeline.finish_with_inventory(outcome, Scope::History, |repo, outcome| inventory_of(repo, outcome, jobs))
}

/// Groups `outcome`'s findings by credential and finds where each is at HEAD (HEAD's files
/// read on up to `jobs` threads); whether HEAD could be read. Files of HEAD that are absent
/// were not searched: the outcome says so, as for any file not scanned.
fn inventory_of(repo: &Repo, outcome: &mut Outcome, jobs: usize) -> Result<Inventory> {
    let mut credentials = inventory::group(&outcome.findings);
    let secrets: Vec<&str> = credentials.iter().map(|c| c.first.secret()).collect();
    let at_head = source::commits::places_at_head(repo, &secrets, jobs, &source::open)?;
    let head_known = at_head.is_some();
    let (at_head, absent_at_head) = at_head.unwrap_or_default();
    for (credential, places) in credentials.iter_mut().zip(at_head) {
        credential.at_head = places;
    }
    if !absent_at_head.is_empty() {
        outcome.absent.extend(absent_at_head);
        outcome.absent.sort_unstable();
        outcome.absent.dedup();
    }
    Ok(Inventory { credentials, head_known })
}

/// `zoomguard scan --image PATH`: each image's config, and every file of every layer, one
/// layer per thread, streamed. A file that a later layer deletes is still reported, with the
/// layer that deletes it. The image is one project: a generic name counts when any of its
/// texts shows Zoom.
fn image(path: &Path, platform: Option<&str>, jobs: usize, reporting: &Reporting) -> Result<Status> {
    if path.as_os_str() == source::files::STDIN_PATH {
        bail!(
            "--image needs a file, not a stream: an archive's manifest may come after its layers, \
             and reading them first would hold the image in memory. Save it first: docker save -o \
             app.tar app:tag && zoomguard scan --image app.tar"
        );
    }
    let pipeline = Pipeline::anywhere(reporting)?;
    let limit = pipeline.max_file_size;
    let file = source::image::open(path, platform)
        .with_context(|| format!("reading the image {}", path.display()))?;
    for skipped in &file.skipped {
        note(format_args!("zoomguard: note: passed over {}", crate::report::sanitize(skipped)));
    }
    // Each image's config, then each of its layers: (image, layer position or none).
    let items: Vec<(usize, Option<usize>)> = file
        .images
        .iter()
        .enumerate()
        .flat_map(|(at, image)| {
            std::iter::once((at, None)).chain((0..image.layers.len()).map(move |l| (at, Some(l))))
        })
        .collect();
    let whiteouts: Mutex<HashMap<(usize, usize), Vec<Whiteout>>> = Mutex::new(HashMap::new());
    let progress = Progress::new(items.len(), "layers");
    let stream = |&(at, layer): &(usize, Option<usize>), emit: &mut engine::Emit<'_>| -> Result<()> {
        let image = &file.images[at];
        match layer {
            None => file.config_texts(image, limit, emit),
            Some(position) => {
                let deletes = file.stream_layer(image, &image.layers[position], limit, emit)?;
                whiteouts
                    .lock()
                    .map_err(|_| anyhow!("a scanning thread crashed"))?
                    .insert((at, position), deletes);
            }
        }
        Ok(())
    };
    let outcome = engine::run_streamed(&items, jobs, &pipeline.options, &stream, &|| progress.tick());
    progress.finish();
    let mut outcome = outcome?;
    let whiteouts = whiteouts.into_inner().map_err(|_| anyhow!("a scanning thread crashed"))?;
    for (at, image) in file.images.iter().enumerate() {
        let layers: Vec<Vec<Whiteout>> =
            (0..image.layers.len()).map(|l| whiteouts.get(&(at, l)).cloned().unwrap_or_default()).collect();
        for finding in &mut outcome.findings {
            let Some(place) = &mut finding.image else { continue };
            if !Arc::ptr_eq(&place.image, &image.info) {
                continue;
            }
            if let ImagePart::Layer { index, path, deleted_by, .. } = &mut place.part {
                *deleted_by = source::image::deleted_by(&layers, *index, path);
            }
        }
    }
    pipeline.finish(outcome, Scope::Image, ProjectOf::OwnTexts)
}
