# shellcheck shell=bash
# HEAP_SELFTEST is read by initramfs.sh.
# shellcheck disable=SC2034
# The kernel's own dma-heap test, tools/testing/selftests/dmabuf-heaps/
# dmabuf-heap.c, taken from the guest kernel's Debian source package
# (linux-source-SERIES at the image's version) and built unchanged, for
# lanes whose kernel exports dma_heap_add() to modules: there the suite's
# heap area runs it over every heap, pagebuf's beside the system heap.
# The files it needs are extracted once into
# $CACHE/kselftest/linux-source-SERIES_VERSION/, keeping their paths (the
# test includes ../../../../include/uapi/linux/dma-heap.h).

heap_selftest_build() {
	HEAP_SELFTEST=
	# The kernel's export table, as the module's build probes it.
	grep -qsw dma_heap_add "${T_APT_ROOT:-}$KDIR/Module.symvers" || return 0
	# Debian's arm64 and riscv64 kernels build no dma-heaps at all.
	[[ -z ${T_DEB_ARCH:-} ]] || return 0
	local pkg=linux-source-$T_KERNEL dir deb t=tools/testing/selftests
	dir=$CACHE/kselftest/${pkg}_$T_IMAGE_VER
	if [[ ! -f $dir/.complete ]]; then
		deb=$(deb_fetch "$pkg" "$T_IMAGE_VER")
		say "extracting the dmabuf-heaps selftest from $(basename "$deb")"
		rm -rf "$dir"
		mkdir -p "$dir"
		# The package holds one tarball, usr/src/linux-source-SERIES.tar.xz.
		dpkg-deb --fsys-tarfile "$deb" | tar -xOf - "./usr/src/$pkg.tar.xz" |
			tar -xJf - -C "$dir" --strip-components=1 \
				"$pkg/$t/dmabuf-heaps/dmabuf-heap.c" "$pkg/$t/kselftest.h" \
				"$pkg/include/uapi/linux/dma-heap.h" ||
			die "cannot extract the dmabuf-heaps selftest from $deb"
		touch "$dir/.complete"
	fi
	# Its Makefile's flags (lib.mk adds the selftests folder for
	# kselftest.h); the uapi headers are the host's, the heap
	# ioctl's its own (relative include), and <drm/drm.h> libdrm-dev's
	# (Debian installs the DRM uapi only in /usr/include/libdrm).
	mkdir -p "$dir/drm-include"
	ln -sfn /usr/include/libdrm "$dir/drm-include/drm"
	run_logged "$RUN_DIR/build.log" gcc -static -O2 -Wall -I "$dir/$t" -idirafter "$dir/drm-include" \
		-o "$dir/dmabuf-heap" \
		"$dir/$t/dmabuf-heaps/dmabuf-heap.c" ||
		die "building the dmabuf-heaps selftest failed (see build.log)"
	HEAP_SELFTEST=$dir/dmabuf-heap
	say "kernel selftest: $t/dmabuf-heaps/dmabuf-heap.c of $pkg $T_IMAGE_VER"
}
