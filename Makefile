# SPDX-License-Identifier: GPL-2.0
#
# The front door.  Each target is one line of intent; the work lives in
# scripts/ and the sub-Makefiles.  The module's objects are listed in Kbuild.
#
#   make                 build dmabuf_exporter.ko for the running kernel
#   make demo            boot the test VM and share a buffer between processes
#   make check           host tests, then the in-VM suites on each kernel of
#                        the matrix in its topologies, two boots at a time
#                        (KERNELS=... for a subset, JOBS=N boots at once)
#   make check-debug     the suites, fault injection, fuzzing and stress on
#                        a KASAN/lockdep/kmemleak kernel
#   make bench           the exporter against memfd, udmabuf and the heaps
#   make lint            checkpatch, W=1, sparse, clang-format, cppcheck
#   make install         module, header, library, CLI (DESTDIR, PREFIX)
#   make dist            build/dmabuf-exporter-VERSION.tar.xz from HEAD
#                        (git archive, without debian/)
#   make deb-src         the Debian source package (.dsc, .orig.tar.xz,
#                        .debian.tar.xz) in build/deb/src/, lintian-checked
#   make deb             the source package, then the binary packages built
#                        from it in build/deb/, lintian-checked
#
# Userspace warnings are errors (WERROR=1, what make check, make lint and CI
# use); distributions build with WERROR=0 (debian/rules), so a warning that
# their next compiler adds does not fail the build.

KDIR ?= /lib/modules/$(shell uname -r)/build
# The boots of make check (scripts/check.sh): KERNEL+TOPOLOGY, the
# topologies of scripts/vm/topology.sh (+iommu: intel-iommu with an
# untranslated bus beside it; +swiotlb: every mapping bounced; +viommu:
# virtio-iommu, which 6.1 lacks), +cma a boot with a CMA area.
KERNELS ?= 6.1+iommu 6.12+iommu sid+iommu sid+viommu+cma 6.12+viommu 6.1+swiotlb 6.12+swiotlb sid+swiotlb

.PHONY: all module userspace clean demo check check-debug bench lint \
	install uninstall dist deb-src deb
all: module userspace

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

userspace:
	$(MAKE) -C importer

demo:
	scripts/demo.sh

check:
	scripts/check.sh $(KERNELS)

check-debug:
	scripts/check-debug.sh

bench:
	scripts/bench.sh

lint:
	scripts/lint.sh

install:
	scripts/install.sh install

uninstall:
	scripts/install.sh uninstall

dist:
	scripts/deb/dist.sh HEAD >/dev/null

deb-src:
	scripts/deb/build.sh --source

deb:
	scripts/deb/build.sh

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C importer clean
	rm -rf build
