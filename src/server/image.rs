//! What an image reference says about the DittoFS release it runs.

/// What an image reference's tag says about the release it runs.
#[derive(Debug, PartialEq, Eq)]
pub enum Tag<'a> {
    /// `@sha256:...`: one image for ever, whatever it holds.
    Digest,
    /// No tag or `latest`: whatever was pushed last.
    Latest,
    /// `vN` or `vN.M`: the newest release of a line.
    Line(&'a str),
    /// `vX.Y.Z` (with an optional suffix such as `-amd64`): major, minor, patch.
    Release(u64, u64, u64),
    /// Anything else: a build of one's own, nothing to tell.
    Other,
}

pub fn tag(image: &str) -> Tag<'_> {
    if image.contains('@') {
        return Tag::Digest;
    }
    // A tag follows the last ':' after the last '/' (a ':' before it is a registry's port).
    let last = image.rsplit('/').next().unwrap_or(image);
    let Some((_, tag)) = last.rsplit_once(':') else { return Tag::Latest };
    if tag == "latest" {
        return Tag::Latest;
    }
    let version = tag.strip_prefix('v').unwrap_or(tag);
    let (numbers, suffix) = version.split_once('-').map_or((version, None), |(n, s)| (n, Some(s)));
    let parts: Vec<Option<u64>> = numbers.split('.').map(|p| p.parse().ok()).collect();
    match parts[..] {
        [Some(_)] | [Some(_), Some(_)] if suffix.is_none() => Tag::Line(tag),
        [Some(major), Some(minor), Some(patch)] => Tag::Release(major, minor, patch),
        _ => Tag::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::{tag, Tag};

    #[test]
    fn tags_tell_the_release() {
        assert_eq!(tag("example/dfs"), Tag::Latest);
        assert_eq!(tag("example/dfs:latest"), Tag::Latest);
        assert_eq!(tag("registry:5000/dittofs"), Tag::Latest);
        assert_eq!(tag("registry:5000/dittofs:v1.2.3"), Tag::Release(1, 2, 3));
        assert_eq!(tag("example/dfs:v1.2.3-amd64"), Tag::Release(1, 2, 3));
        assert_eq!(tag("example/dfs:1.3.0"), Tag::Release(1, 3, 0));
        assert_eq!(tag("example/dfs:v1"), Tag::Line("v1"));
        assert_eq!(tag("example/dfs:v1.2"), Tag::Line("v1.2"));
        assert_eq!(tag("example/dfs@sha256:0123"), Tag::Digest);
        assert_eq!(tag("example/dfs:v1.2.3@sha256:0123"), Tag::Digest);
        assert_eq!(tag("example/dfs:nightly"), Tag::Other);
        assert_eq!(tag("example/dfs:v1.2-rc"), Tag::Other);
    }
}
