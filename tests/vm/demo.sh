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

# wait_for WHAT CONDITION...: until CONDITION holds, for at most 120 s (a
# loaded TCG guest is slow; nothing here guesses how slow).
wait_for() {
	what=$1
	shift
	i=0
	until "$@"; do
		if [ $i -ge 1200 ]; then
			echo "demo: no $what after 120 s"
			exit 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
}
said() { grep -q "$2" "$1" 2>/dev/null; }

step dmabuf-share serve $S --size 1M --name demo-frame --fill counter "&"
dmabuf-share serve $S --size 1M --name demo-frame --fill counter &
server=$!
wait_for "server socket" test -S $S

step dmabuf-share attach $S --verify counter
dmabuf-share attach $S --verify counter
step dmabuf-share attach $S --write 0x5a
dmabuf-share attach $S --write 0x5a
# The holders keep the buffer until ls has run: SIGUSR1 ends their holds.
step dmabuf-share attach $S --verify 0x5a --hold 600 "&"
dmabuf-share attach $S --verify 0x5a --hold 600 > /tmp/reader.out 2>&1 &
reader=$!
step dmabuf-share drm-import $S --hold 600 "&"
dmabuf-share drm-import $S --hold 600 > /tmp/importer.out 2>&1 &
importer=$!
wait_for "reader holding" said /tmp/reader.out holding
wait_for "import holding" said /tmp/importer.out holding

step dmabuf-share ls
dmabuf-share ls
step dmabuf-share info
dmabuf-share info

step kill -USR1 "<reader> <importer>   # end their holds"
kill -USR1 $reader $importer
wait $reader
wait $importer
echo "--- the reader said:"
cat /tmp/reader.out
echo "--- the importer said:"
cat /tmp/importer.out
kill -INT $server
wait $server || true
step "dmabuf-share info   # after every process let go"
dmabuf-share info
