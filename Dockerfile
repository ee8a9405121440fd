# dittofs-krm as a container: a static (musl) binary on an empty base image.
# Serves as a KRM function image (kpt, kustomize containers) and as an Argo CD plugin sidecar
# (examples/argocd): the plugin configuration sits where argocd-cmp-server looks for it.
#
#   docker build -t ghcr.io/dittofs/dittofs-krm:v0.1.0 .
#       builds the binary from source in the rust image (needs a registry).
#   DOCKER_BUILDKIT=1 docker build --build-arg BINARY=prebuilt -t ghcr.io/dittofs/dittofs-krm:v0.1.0 .
#       takes the binary built on the host (`make image` builds it first); BuildKit then skips the
#       rust stage, so nothing is pulled.
ARG BINARY=build

FROM rust:1.85.1-slim-bookworm AS build
# musl-gcc builds mimalloc, the native allocator, for the static binary.
RUN apt-get update \
    && apt-get install -y --no-install-recommends musl-tools=1.2.3-1 \
    && rm -rf /var/lib/apt/lists/* \
    && rustup target add x86_64-unknown-linux-musl
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
RUN cargo build --release --locked --target x86_64-unknown-linux-musl \
    && cp target/x86_64-unknown-linux-musl/release/dittofs-krm /dittofs-krm

# `cargo build --release --locked --target x86_64-unknown-linux-musl` on the host.
FROM scratch AS prebuilt
COPY target/x86_64-unknown-linux-musl/release/dittofs-krm /dittofs-krm

# The stage the binary comes from: `build` or `prebuilt`.
FROM ${BINARY} AS binary

# No shell, no package manager, no libc: the binary, the plugin configuration and the two
# accounts the clients run it as — nobody (kpt and kustomize run functions with `--user nobody`)
# and argocd (Argo CD runs plugin sidecars as uid 999).
FROM scratch
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="dittofs-krm" \
      org.opencontainers.image.description="KRM function that expands DittoServer resources into the Kubernetes objects that run them" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/dittofs/dittofs-krm" \
      org.opencontainers.image.documentation="https://github.com/dittofs/dittofs-krm#readme"
COPY container/passwd container/group /etc/
COPY examples/argocd/plugin.yaml /home/argocd/cmp-server/config/plugin.yaml
COPY --from=binary /dittofs-krm /usr/local/bin/dittofs-krm
ENV PATH=/usr/local/bin
# nobody:nogroup; the Argo CD sidecar overrides it with runAsUser 999.
USER 65534:65534
ENTRYPOINT ["/usr/local/bin/dittofs-krm"]
