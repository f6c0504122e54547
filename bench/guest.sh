#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the bench VM (busybox sh), with dmabuf_exporter.ko loaded
# from /payload with its default parameters: every measurement, then the
# module reloaded with its reuse cache off (cache_size=0) and the frame
# loop and remap again.  A "@@BENCH-PHASE name" line starts each phase's
# output; scripts/bench.sh files them apart.
#   usage: guest.sh DMABUF-BENCH-ARGS...
set -e
echo "@@BENCH-PHASE default"
dmabuf-bench "$@"
echo "@@BENCH-PHASE no-cache"
rmmod dmabuf_exporter
insmod /payload/dmabuf_exporter.ko cache_size=0
dmabuf-bench "$@" --only frame,remap
