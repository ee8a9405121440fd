//! A line's volume layout, as one table: the claims, where each volume is mounted, and which
//! paths of the spec must lie on a claim. The StatefulSet's mounts and claim templates and the
//! "on a claim" rule all read it, so they cannot disagree.

use crate::krm::ValidationResult;

pub struct Layout<S: 'static> {
    /// The volume claim templates, in order.
    pub claims: &'static [Claim<S>],
    /// The container's mounts, in order; a mount on a claim the spec does not have is left out.
    pub mounts: &'static [Mount<S>],
    /// Paths the server keeps its state at, each of which must lie on a claim.
    pub state: &'static [State<S>],
    /// The StorageClass of every claim; `None`: the cluster's default.
    pub storage_class: fn(&S) -> Option<&str>,
}

/// A claim template; `size` is `None` when the spec has no such claim.
pub struct Claim<S> {
    pub name: &'static str,
    /// The DittoServer's field that sets its size (`spec.storage.cacheSize`).
    pub field: &'static str,
    pub size: fn(&S) -> Option<&str>,
}

/// What a mount mounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A claim of [`Layout::claims`], by name.
    Claim(&'static str),
    /// The ConfigMap with `config.yaml`.
    Config,
    /// An emptyDir for temporary files (`tmp`).
    Scratch,
}

pub struct Mount<S> {
    pub source: Source,
    pub path: &'static str,
    pub sub_path: Option<&'static str>,
    /// Whether the spec needs this mount (beyond its claim existing).
    pub when: fn(&S) -> bool,
}

/// A path of the spec that must lie on a claim, or every restart loses what is there.
pub struct State<S> {
    /// The field, from the DittoServer's root (`spec.cache.path`).
    pub field: &'static str,
    /// Its value; `None` when the spec does not use it.
    pub path: fn(&S) -> Option<&str>,
    pub on: On,
    /// The message when it does not: given the path and the claims' mount points.
    pub lost: fn(&str) -> String,
}

/// Where a [`State`] path must lie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum On {
    /// A file inside any claim's mount.
    AnyClaim,
    /// The mount point of this claim, or inside it.
    Claim(&'static str),
}

/// Always: for a mount no field turns off.
pub fn always<S>(_: &S) -> bool {
    true
}

impl<S> Layout<S> {
    /// The claims the spec has, with their sizes, in template order.
    pub fn claims<'s>(&self, spec: &'s S) -> Vec<(&'static str, &'s str)> {
        self.claims.iter().filter_map(|c| Some((c.name, (c.size)(spec)?))).collect()
    }

    /// Each claim's name and the DittoServer field that sets its size.
    pub fn claim_fields(&self) -> Vec<(&'static str, &'static str)> {
        self.claims.iter().map(|c| (c.name, c.field)).collect()
    }

    fn has_claim(&self, spec: &S, name: &str) -> bool {
        self.claims.iter().any(|c| c.name == name && (c.size)(spec).is_some())
    }

    /// The mounts the spec has, in order.
    pub fn mounts<'l>(&'l self, spec: &S) -> impl Iterator<Item = &'l Mount<S>> + 'l
    where
        S: 'l,
    {
        let wanted: Vec<bool> = self
            .mounts
            .iter()
            .map(|m| (m.when)(spec) && if let Source::Claim(c) = m.source { self.has_claim(spec, c) } else { true })
            .collect();
        self.mounts.iter().zip(wanted).filter_map(|(m, w)| w.then_some(m))
    }

    /// The [`State`] paths that lie on no claim, or not on theirs.
    pub fn state_problems(&self, spec: &S) -> Vec<ValidationResult> {
        let on_claims: Vec<&Mount<S>> = self.mounts(spec).filter(|m| matches!(m.source, Source::Claim(_))).collect();
        let mut out = Vec::new();
        for state in self.state {
            let Some(path) = (state.path)(spec) else { continue };
            let kept = match state.on {
                On::AnyClaim => on_claims.iter().any(|m| below(path, m.path)),
                On::Claim(claim) => {
                    let path = path.trim_end_matches('/');
                    on_claims.iter().filter(|m| m.source == Source::Claim(claim)).any(|m| path == m.path || below(path, m.path))
                }
            };
            if !kept {
                out.push(ValidationResult::error((state.lost)(path)).at(state.field).with_current(path));
            }
        }
        out
    }
}

/// Whether `path` names something inside the directory `dir` (no `.` or `..` step out of it).
fn below(path: &str, dir: &str) -> bool {
    path.strip_prefix(dir)
        .and_then(|rest| rest.strip_prefix('/'))
        .is_some_and(|rest| !rest.is_empty() && rest.split('/').all(|step| step != ".." && step != "."))
}
