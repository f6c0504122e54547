#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM for `make demo`: one server process owns a 1 MiB
# buffer; separate client processes (each its own exec of dmabuf-share)
# read it, write it, read the write back, and import it into vgem; then
# `ls` shows who holds it.  Every command is echoed before it runs.
set -e
S=/tmp/demo.sock
step() {
	echo
	echo "\$ $*"
}

step dmabuf-share info
dmabuf-share info

step dmabuf-share serve $S --size 1M --name demo-frame --fill counter "&"
dmabuf-share serve $S --size 1M --name demo-frame --fill counter &
server=$!
i=0
while [ ! -S $S ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done

step dmabuf-share attach $S --verify counter
dmabuf-share attach $S --verify counter
step dmabuf-share attach $S --write 0x5a
dmabuf-share attach $S --write 0x5a
step dmabuf-share attach $S --verify 0x5a --hold 4 "&"
dmabuf-share attach $S --verify 0x5a --hold 4 &
reader=$!
step dmabuf-share drm-import $S --hold 4 "&"
dmabuf-share drm-import $S --hold 4 &
importer=$!
sleep 2

step dmabuf-share ls
dmabuf-share ls
step dmabuf-share info
dmabuf-share info

wait $reader
wait $importer
kill -INT $server
wait $server || true
step "dmabuf-share info   # after every process let go"
dmabuf-share info
