#!/bin/sh
# Where a small buffer's time goes inside the kernel: one quick P1 round
# of dmabuf-bench under ftrace's function_graph tracer, limited to the
# functions below, then each one's calls and mean duration. Tracing adds
# about the same cost to every traced call, so the means are larger than
# the untraced figures; what matters is how they compare (pagebuf's own
# steps against the dma-buf core's, and against the heap and dmabuf_null).
# Functions the compiler inlined, or that a kernel lacks, are left out.

T=/sys/kernel/tracing
[ -d $T/events ] || mount -t tracefs nodev $T 2>/dev/null ||
	mount -t debugfs nodev /sys/kernel/debug
[ -d $T/events ] || T=/sys/kernel/debug/tracing
if [ ! -w $T/set_ftrace_filter ]; then
	echo "profile: no ftrace function tracing in this kernel ($T)"
	exit 0
fi

FUNCS="pagebuf_ioctl pagebuf_buffer_create pagebuf_stats_reserve
pagebuf_pages_alloc pagebuf_export pagebuf_name_dup pagebuf_buffer_commit
pagebuf_stats_commit pagebuf_debug_list pagebuf_release pagebuf_buffer_destroy
pagebuf_pages_free pagebuf_debug_unlist pagebuf_stats_release
null_ioctl null_release dma_heap_ioctl system_heap_allocate
system_heap_dma_buf_release dma_buf_export dma_buf_fd dma_buf_release
dma_buf_file_release get_unused_fd_flags fd_install __fput kstrdup
sg_alloc_table sg_free_table __free_pages kfree __get_task_comm
__memcg_kmem_charge_page __memcg_kmem_uncharge_page pagebuf_default_name
__x64_sys_ioctl __x64_sys_close"

echo 0 >$T/tracing_on
echo nop >$T/current_tracer
: >$T/set_ftrace_filter
for f in $FUNCS; do
	echo "$f" >>$T/set_ftrace_filter 2>/dev/null
done
echo 16384 >$T/buffer_size_kb
echo function_graph >$T/current_tracer
echo funcgraph-tail >$T/trace_options 2>/dev/null
: >$T/trace
echo 1 >$T/tracing_on
./dmabuf-bench --only p1 --quick --reps 1 >/dev/null
echo 0 >$T/tracing_on

echo "=== P1 under function_graph: function, calls, mean us (traced; a"
echo "=== traced call adds about kfree's mean, itself and in its caller)"
# Leaf lines end in "name();", closing lines "} /* name */"; the
# duration is in the field before the last "|" ("+ 12.345 us").
awk -F'|' '
/\(\);|\} \/\*/ {
	if (!match($(NF - 1), /[0-9]+\.[0-9]+/)) next
	d = substr($(NF - 1), RSTART, RLENGTH)
	name = $NF
	if (name ~ /\} \/\* /) { sub(/.*\/\* /, "", name); sub(/ \*\/.*/, "", name) }
	else sub(/\(\);.*/, "", name)
	# "name [module]" on one kind of line, "name[module]" on the other.
	gsub(/ /, "", name)
	n[name]++; sum[name] += d
}
END { for (f in n) printf "%-34s %8d %9.2f\n", f, n[f], sum[f] / n[f] }' $T/trace | sort
echo nop >$T/current_tracer
: >$T/set_ftrace_filter
