# shellcheck shell=bash
# The modules as DKMS builds them: `dkms add`, `dkms build` and `dkms
# install` of the checkout's dkms.conf for the guest's kernel (not the
# running one), the way a board or workstation rebuilds them on a kernel
# update. Everything dkms writes stays in the cache:
#   $CACHE/dkms/source/dmabuf-lab-VERSION   the sources (--sourcetree)
#   $CACHE/dkms/tree                        dkms's own state (--dkmstree)
#   $CACHE/dkms/install/KVER                the installed modules (--installtree)
#   $CACHE/dkms/keys                        the module signing key dkms makes
# dkms 3.0 writes its signing key to /var/lib/dkms, which no option moves:
# it runs in a private mount namespace where the cache's keys/ folder is
# mounted over /var/lib/dkms, so the host's stays untouched.

# dkms_build_install: replaces KOS with the modules dkms installed; skips
# dkms when the sources are the ones it last installed for KVER.
dkms_build_install() {
	local top=$CACHE/dkms name ver src stamp sum log=$RUN_DIR/module-build.log
	name=$(sed -n 's/^PACKAGE_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$ROOT/dkms.conf")
	ver=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$ROOT/dkms.conf")
	[[ -n $name && -n $ver ]] || die "dkms.conf names no PACKAGE_NAME and PACKAGE_VERSION"
	command -v dkms >/dev/null || die "dkms is not installed"
	src=$top/source/$name-$ver
	stamp=$top/install/$KVER/.dmabuf-lab-sources
	# One dkms at a time on the cache's trees, whatever checkout runs it.
	lock_on 5 "$CACHE/locks/dkms.lock"
	mkdir -p "$top/tree" "$top/install/$KVER" "$top/keys" "$top/source"

	# The sources dkms would get from a tarball: dkms.conf, module/, include/.
	rm -rf "$src.tmp"
	mkdir -p "$src.tmp"
	(cd "$ROOT" && find dkms.conf module include \( -name '*.[ch]' ! -name '*.mod.c' \
		-o -name Kbuild -o -name Makefile -o -name dkms.conf \) -type f -print0 |
		tar --null -T - -cf -) | tar -C "$src.tmp" -xf - ||
		die "cannot copy the sources to $src.tmp"
	sum=$(cd "$src.tmp" && find . -type f -print0 | LC_ALL=C sort -z |
		xargs -0 sha256sum | sha256sum | cut -d' ' -f1)

	if [[ ! -f $stamp || $(cat "$stamp") != "$sum" ]]; then
		say "dkms: add, build and install $name/$ver for kernel $KVER"
		rm -rf "$src"
		mv "$src.tmp" "$src"
		rm -f "$stamp"
		# A previous build of the same version is dropped first: dkms
		# refuses to build a version it already built.
		dkms_run "$log" remove -m "$name" -v "$ver" --all >/dev/null 2>&1 || true
		rm -rf "${top:?}/tree/$name"
		dkms_run "$log" add -m "$name" -v "$ver" ||
			{ cat "$log" >>"$RUN_DIR/build.log"; die "dkms add failed (see build.log)"; }
		dkms_run "$log" build -m "$name" -v "$ver" -k "$KVER" --kernelsourcedir "$KDIR" ||
			{ cat "$log" >>"$RUN_DIR/build.log"; die "dkms build failed (see build.log)"; }
		dkms_run "$log" install -m "$name" -v "$ver" -k "$KVER" --no-depmod --force ||
			{ cat "$log" >>"$RUN_DIR/build.log"; die "dkms install failed (see build.log)"; }
		printf '%s\n' "$sum" >"$stamp"
	else
		rm -rf "$src.tmp"
		say "dkms: $name/$ver for kernel $KVER is up to date"
	fi

	# Every module dkms.conf lists, from where dkms installed it.
	local i f mods=()
	mapfile -t mods < <(sed -n 's/^BUILT_MODULE_NAME\[[0-9]*\]="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$ROOT/dkms.conf")
	KOS=()
	for i in "${mods[@]}"; do
		f=$(find "$top/install/$KVER" -name "$i.ko" -type f | head -n 1)
		[[ -n $f ]] || die "dkms installed no $i.ko under $top/install/$KVER"
		[[ $(modinfo -F vermagic "$f" | cut -d' ' -f1) == "$KVER" ]] ||
			die "$f was not built for $KVER"
		KOS+=("$f")
	done
	flock -u 5
	say "module under test: DKMS-built (dkms install $name/$ver -k $KVER): ${KOS[*]#"$top/"}"
}

# dkms_run LOG ARGS...: dkms with the cache's trees, its signing key
# folder mounted over /var/lib/dkms in a private mount namespace.
dkms_run() {
	local log=$1 top=$CACHE/dkms
	shift
	# shellcheck disable=SC2016 # expanded by the child shell
	run_logged "$log" unshare -m --propagation private /bin/sh -c '
		keys=$1
		shift
		mkdir -p /var/lib/dkms && mount --bind "$keys" /var/lib/dkms || exit 1
		exec dkms "$@"
	' dkms_run "$top/keys" "$@" --sourcetree "$top/source" --dkmstree "$top/tree" \
		--installtree "$top/install"
}
