# SPDX-License-Identifier: GPL-2.0
# The machines the edu suite runs on: for a topology name, the QEMU
# devices, the kernel command line, the kernel modules it needs and the
# DMA masks of its edu devices (edu cannot tell its own; the edu importer
# takes them as dma_bits=PCI_ADDRESS=BITS,...).  Sourced, never run.
#
#   plain    no IOMMU: edu 00:10.0 with a 64-bit mask, edu 00:11.0 with
#            edu's default 28 bits
#   iommu    intel-iommu (interrupt remapping, split irqchip) translating
#            edu 00:10.0 (64 bits) and 00:11.0 (28 bits); in the same boot a
#            pxb-pcie bus with bypass_iommu=true whose root ports hold an
#            untranslated edu each, 81:00.0 (64 bits) and 82:00.0 (28 bits)
#            (bus numbers as SeaBIOS assigns them below the pxb's 0x80)
#   viommu   virtio-iommu-pci translating 00:10.0 and 00:11.0 (the kernels
#            that build it as a module get it loaded)
#   swiotlb  the plain devices with swiotlb=force: every mapping bounces
#
# topology NAME sets TOPO_QEMU (array of QEMU arguments), TOPO_APPEND
# (kernel command line), TOPO_MODULES (kernel modules to load, for
# run.sh --modules), TOPO_EDU_BITS (the edu importer's dma_bits) and
# TOPO_EXPECT (an extended regular expression for the one kernel report
# this topology is known to produce, for run.sh --expect-report; empty
# where none is).  Returns 1 for an unknown name.

# Two edu devices on the root bus: one with a 64-bit mask, one with 28.
# (QEMU device options are comma lists, not array separators.)
# shellcheck disable=SC2054
TOPO_EDU_ROOT=(-device edu,addr=0x10,dma_mask=0xffffffffffffffff
	-device edu,addr=0x11)

# The TOPO_ variables are for the caller that sourced this file.
# shellcheck disable=SC2054,SC2034
topology() {
	TOPO_QEMU=() TOPO_APPEND="" TOPO_MODULES="" TOPO_EXPECT=""
	TOPO_EDU_BITS="0000:00:10.0=64"
	case $1 in
	plain) TOPO_QEMU=("${TOPO_EDU_ROOT[@]}") ;;
	iommu)
		# intel-iommu comes before the devices it translates.
		TOPO_QEMU=(-machine kernel-irqchip=split
			-device intel-iommu,intremap=on
			"${TOPO_EDU_ROOT[@]}"
			-device pxb-pcie,id=pxb1,bus_nr=128,bypass_iommu=true
			-device pcie-root-port,id=rp1,bus=pxb1,chassis=1,slot=1,addr=0x0
			-device pcie-root-port,id=rp2,bus=pxb1,chassis=2,slot=2,addr=0x1
			-device edu,bus=rp1,dma_mask=0xffffffffffffffff
			-device edu,bus=rp2)
		# pcie_ports=compat: the pxb's root ports are outside every
		# DMAR unit, so no interrupt-remapping MSI domain covers them;
		# 6.1's portdrv then WARNs in pci_msi_setup_msi_irqs() when it
		# asks for PME/AER vectors.  The edu driver polls and needs no
		# interrupt; the ports still bridge as plain PCI bridges.
		TOPO_APPEND="intel_iommu=on pcie_ports=compat"
		TOPO_EDU_BITS+=",0000:81:00.0=64"
		;;
	viommu)
		TOPO_QEMU=(-device virtio-iommu-pci "${TOPO_EDU_ROOT[@]}")
		TOPO_MODULES="virtio_pci virtio-iommu"
		;;
	swiotlb)
		TOPO_QEMU=("${TOPO_EDU_ROOT[@]}")
		TOPO_APPEND="swiotlb=force"
		# The 28-bit edu cannot be served: the bounce pool lies above
		# 256 MiB, and swiotlb_map() WARNs once before failing the map.
		TOPO_EXPECT='swiotlb addr .* overflow \(mask fffffff,'
		;;
	*) return 1 ;;
	esac
}
