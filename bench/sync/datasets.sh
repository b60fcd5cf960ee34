# SPDX-License-Identifier: GPL-3.0-or-later
#
# datasets.sh — the benchmark's datasets (DESIGN.md §6), made
# deterministically from an AES-CTR keystream so every run, and every
# machine, syncs the same bytes; incompressible, so no peer gains from
# compression.
#
#   A  N × 4 KiB files in N/100 directories (10 000 at scale 1)
#   B  one file of 1 GiB (scaled)
#   C  B with 1 MiB overwritten in the middle (patch file + offset)
#   F  100 000 tiny files (64 bytes) in 1 000 directories: client RSS
#
# Sourced by run.sh; gen_datasets DIR SCALE writes DIR/{A,B/big.bin,
# C.patch,F} once and sets DS_* variables.

# keystream NAME BYTES: BYTES of AES-128-CTR output keyed by NAME.
keystream() {
    local key
    key=$(printf '%s' "$1" | sha256sum | cut -c1-32)
    head -c "$2" /dev/zero |
        openssl enc -aes-128-ctr -nosalt -K "$key" -iv 00000000000000000000000000000000
}

# split_tree DIR FILES DIRS SIZE: cuts standard input into FILES files of
# SIZE bytes, DIR/dNNN/fNNNNN.bin, spread evenly over DIRS directories.
# (python3 -c: a here-document would take the place of standard input.)
split_tree() {
    python3 -c '
import os, sys
root, files, dirs, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
src = sys.stdin.buffer
per_dir = -(-files // dirs)
for i in range(files):
    d = os.path.join(root, "d%03d" % (i // per_dir))
    if i % per_dir == 0:
        os.makedirs(d, exist_ok=True)
    data = src.read(size)
    if len(data) != size:
        sys.exit("split_tree: the keystream ended early")
    with open(os.path.join(d, "f%05d.bin" % i), "wb") as f:
        f.write(data)
src.read()
' "$@"
}

gen_datasets() {
    local dir=$1 scale=$2 stamp
    DS_A_FILES=$(awk "BEGIN { n = int(10000 * $scale + 0.5); print (n < 100 ? 100 : n) }")
    DS_A_DIRS=$(( (DS_A_FILES + 99) / 100 ))
    DS_B_BYTES=$(awk "BEGIN { n = int(1073741824 * $scale / 1048576) * 1048576; print (n < 4194304 ? 4194304 : n) }")
    DS_C_BYTES=1048576
    DS_C_OFFSET=$(( DS_B_BYTES / 2 - DS_C_BYTES / 2 ))
    DS_F_FILES=$(awk "BEGIN { n = int(100000 * $scale + 0.5); print (n < 1000 ? 1000 : n) }")
    DS_F_DIRS=$(( (DS_F_FILES + 99) / 100 ))
    stamp="A=$DS_A_FILES B=$DS_B_BYTES C=$DS_C_BYTES@$DS_C_OFFSET v2"
    want_dataset F && stamp+=" F=$DS_F_FILES"

    # Reuse a complete earlier generation (kept with --keep-datasets).
    if [ "$(cat "$dir/.stamp" 2>/dev/null)" = "$stamp" ]; then
        log "datasets: reusing $dir ($stamp)"
        return
    fi
    rm -rf "$dir"
    mkdir -p "$dir/B"
    log "datasets: A = $DS_A_FILES × 4 KiB in $DS_A_DIRS dirs"
    keystream A $((DS_A_FILES * 4096)) | split_tree "$dir/A" "$DS_A_FILES" "$DS_A_DIRS" 4096
    log "datasets: B = $((DS_B_BYTES / 1048576)) MiB"
    keystream B "$DS_B_BYTES" >"$dir/B/big.bin"
    keystream C "$DS_C_BYTES" >"$dir/C.patch"
    if want_dataset F; then
        log "datasets: F = $DS_F_FILES × 64 B in $DS_F_DIRS dirs"
        keystream F $((DS_F_FILES * 64)) | split_tree "$dir/F" "$DS_F_FILES" "$DS_F_DIRS" 64
    fi
    # Fixed mtimes: a peer that compares times sees the same ones each run.
    local trees=("$dir/A" "$dir/B")
    want_dataset F && trees+=("$dir/F")
    find "${trees[@]}" -exec touch -h -d '2026-01-01 12:00:00' {} +
    echo "$stamp" >"$dir/.stamp"
}

# apply_c FILE: the C change, in place (same size, new mtime).
apply_c() {
    dd if="$DATASETS/C.patch" of="$1" bs=1M seek="$DS_C_OFFSET" oflag=seek_bytes \
        conv=notrunc status=none
    touch "$1"
}

# place_dataset NAME DEST: copies dataset A, B or F into DEST (created),
# keeping the fixed mtimes.
place_dataset() {
    mkdir -p "$2"
    cp -a "$DATASETS/$1/." "$2/"
}
