# syntax=docker/dockerfile:1
# reprolab's image for Kubernetes (infra/k8s): the worker, the dashboard and `reprolab db migrate`
# all run from it, as user 1000, with a read-only root filesystem (writes go to /tmp and the
# dashboard's .next/cache, both emptyDir volumes in the manifests).
#
#   docker build --target runtime     -t registry.example.com/reprolab:0.1.0 .
#   docker build --target runtime-gpu -t registry.example.com/reprolab:0.1.0-gpu .
#
# runtime: the native TensorFlow CPU backend (infra/tensor/install.sh: tfjs-node's addon built
# against the tensorflow-cpu wheel from PyPI). runtime-gpu adds the GPU variant (install.sh --gpu:
# the tensorflow[and-cuda] wheels, which bring CUDA 12 and cuDNN 9 from PyPI, so no CUDA base image
# is needed; the node needs NVIDIA's driver and container toolkit, as any GPU pod does). Not
# @tensorflow/tfjs-node-gpu: its install step downloads libtensorflow from a bucket, which this
# project avoids (infra/tensor/README.md).
# Not built in this project's CI (no Docker there); the manifests are validated without it.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
# Package manifests first, so source edits do not redo `npm ci`.
COPY package.json package-lock.json ./
COPY db/package.json db/
COPY activities/package.json activities/
COPY activities/methods/package.json activities/methods/
COPY workflows/package.json workflows/
COPY workflows/recipes/package.json workflows/recipes/
COPY infra/package.json infra/
COPY apps/api/package.json apps/api/
COPY apps/worker/package.json apps/worker/
COPY apps/cli/package.json apps/cli/
COPY apps/dashboard/package.json apps/dashboard/
COPY tests/package.json tests/
RUN npm ci --no-audit --no-fund --loglevel=error
COPY . .

FROM deps AS build
ENV NEXT_TELEMETRY_DISABLED=1
RUN node node_modules/next/dist/bin/next build apps/dashboard

# The native backends live outside the clone, under REPROLAB_CACHE_DIR (same path at run time:
# the addon's rpath points into the venv).
FROM deps AS tensor-cpu
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv python3-pip g++ make binutils \
 && rm -rf /var/lib/apt/lists/*
ENV REPROLAB_CACHE_DIR=/opt/reprolab/cache
RUN bash infra/tensor/install.sh

FROM tensor-cpu AS tensor-gpu
RUN bash infra/tensor/install.sh --gpu

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 REPROLAB_CACHE_DIR=/opt/reprolab/cache HOME=/tmp
WORKDIR /app
COPY --from=build /app /app
COPY --from=tensor-cpu /opt/reprolab/cache /opt/reprolab/cache
# `node` (uid 1000) from the Node image; owns nothing it could rewrite.
USER 1000:1000
CMD ["node", "--import", "tsx", "apps/worker/src/main.ts"]

FROM runtime AS runtime-gpu
COPY --from=tensor-gpu /opt/reprolab/cache /opt/reprolab/cache
