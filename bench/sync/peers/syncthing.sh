# SPDX-License-Identifier: GPL-3.0-or-later
#
# syncthing.sh — syncthing in the sync benchmark: two instances, each with
# its own home generated here, listening on 127.0.0.1 only, introduced to
# each other by address (no discovery, relays, NAT traversal, usage
# reporting, crash reporting or upgrades), sharing folders A, B and E.
#
# A and B are scanned on request (POST /rest/db/scan on instance 1; the
# file-system watcher is off and periodic rescans too) and timed until the
# files are on instance 2's disk: syncthing writes each file under a
# temporary name and renames it into place, so a file present under its
# own name is complete. Syncthing is device to device: one hop (†), the
# same figure in the "to server" and "total" rows. E uses the watcher with
# its shortest delay (fsWatcherDelayS=1; the default is 10 s).

ST_GUI1=17011 ST_GUI2=17012 ST_BEP1=17021 ST_BEP2=17022
ST_KEY=bench-sync-api-key
ST_PIDS=()

st_api() {
    local gui=$1 method=$2 path=$3
    curl -sf -m 600 -X "$method" -H "X-API-Key: $ST_KEY" "http://127.0.0.1:$gui$path"
}

# st_config HOME GUI BEP OTHER_ID OTHER_BEP FOLDERS_DIR: rewrites the generated
# config.xml for the benchmark.
st_config() {
    python3 - "$@" <<'EOF'
import sys
import xml.etree.ElementTree as ET
home, gui, bep, other_id, other_bep, base = sys.argv[1:7]
path = home + "/config.xml"
tree = ET.parse(path)
root = tree.getroot()
me = root.find("device")
me.set("name", "self")
g = root.find("gui")
g.find("address").text = "127.0.0.1:" + gui
g.find("apikey").text = "bench-sync-api-key"
opts = root.find("options")
def opt(name, value):
    for e in opts.findall(name):
        opts.remove(e)
    e = ET.SubElement(opts, name)
    e.text = value
opt("listenAddress", "tcp://127.0.0.1:" + bep)
opt("globalAnnounceEnabled", "false")
opt("localAnnounceEnabled", "false")
opt("relaysEnabled", "false")
opt("natEnabled", "false")
opt("startBrowser", "false")
opt("urAccepted", "-1")
opt("urSeen", "3")
opt("autoUpgradeIntervalH", "0")
opt("crashReportingEnabled", "false")
opt("announceLANAddresses", "false")
opt("setLowPriority", "false")
opt("reconnectionIntervalS", "1")
opt("stunServer", "")
dev = ET.SubElement(root, "device", id=other_id, name="other", compression="metadata",
                    introducer="false", skipIntroductionRemovals="false", introducedBy="")
ET.SubElement(dev, "address").text = "tcp://127.0.0.1:" + other_bep
ET.SubElement(dev, "paused").text = "false"
ET.SubElement(dev, "autoAcceptFolders").text = "false"
for fid, watch in (("A", False), ("B", False), ("E", True)):
    f = ET.SubElement(root, "folder", id=fid, label=fid, path=base + "/" + fid,
                      type="sendreceive", rescanIntervalS="0",
                      fsWatcherEnabled="true" if watch else "false",
                      fsWatcherDelayS="1", ignorePerms="false", autoNormalize="true")
    ET.SubElement(f, "filesystemType").text = "basic"
    ET.SubElement(f, "device", id=me.get("id"), introducedBy="")
    ET.SubElement(f, "device", id=other_id, introducedBy="")
    ET.SubElement(f, "markerName").text = ".stfolder"
tree.write(path)
EOF
}

syncthing_start() {
    SD=$work/syncthing
    rm -rf "$SD"
    local i f
    for i in 1 2; do
        mkdir -p "$SD/home$i"
        syncthing generate --home="$SD/home$i" --no-default-folder --skip-port-probing \
            >>"$work/commands.log" 2>&1 || die "syncthing generate failed"
        for f in A B E; do mkdir -p "$SD/c$i/$f/.stfolder"; done
    done
    ST_ID1=$(syncthing serve --home="$SD/home1" --device-id)
    ST_ID2=$(syncthing serve --home="$SD/home2" --device-id)
    st_config "$SD/home1" "$ST_GUI1" "$ST_BEP1" "$ST_ID2" "$ST_BEP2" "$SD/c1" ||
        die "syncthing config failed"
    st_config "$SD/home2" "$ST_GUI2" "$ST_BEP2" "$ST_ID1" "$ST_BEP1" "$SD/c2" ||
        die "syncthing config failed"
    ST_PIDS=()
    for i in 1 2; do
        STNOUPGRADE=1 STNODEFAULTFOLDER=1 syncthing serve --home="$SD/home$i" --no-browser \
            --no-restart --no-upgrade >"$SD/st$i.log" 2>&1 &
        ST_PIDS+=($!)
    done
    wait_until 30 0.1 st_api "$ST_GUI1" GET /rest/system/ping >/dev/null ||
        die "syncthing 1 did not start: $(tail -n 5 "$SD/st1.log")"
    wait_until 30 0.1 st_api "$ST_GUI2" GET /rest/system/ping >/dev/null ||
        die "syncthing 2 did not start: $(tail -n 5 "$SD/st2.log")"
    wait_until 60 0.2 st_connected || die "syncthing instances did not connect: $(tail -n 5 "$SD/st1.log")"
}

st_connected() {
    [ "$(st_api "$ST_GUI1" GET /rest/system/connections | jq -r ".connections[\"$ST_ID2\"].connected")" = true ]
}

syncthing_stop() {
    rec rss.server syncthing "$(vm_hwm "${ST_PIDS[0]}")"
    rec rss.client syncthing "$(vm_hwm "${ST_PIDS[1]}")"
    local pid
    for pid in "${ST_PIDS[@]}"; do stop_pid "$pid"; done
    ST_PIDS=()
    [ "$KEEP" = 1 ] || rm -rf "$SD"
}

# Files of DIR under their own names (no temporaries, no marker).
st_count() { find "$1" -type f ! -name '.syncthing.*' ! -path '*/.stfolder/*' | wc -l; }
st_count_is() { [ "$(st_count "$1")" -ge "$2" ]; }
st_same_file() { [ "$1" -ef "$2" ]; }
st_file_complete() { [ -f "$1" ] && [ "$(stat -c %s "$1")" = "$2" ]; }

# st_scan FOLDER: asks instance 1 to scan; the call returns once the scan
# is done.
st_scan() { st_api "$ST_GUI1" POST "/rest/db/scan?folder=$1" >/dev/null || warn "syncthing: scan of $1 failed"; }

st_one_hop() {
    rec "$1.up" syncthing "$M_WALL"
    rec "$1.total" syncthing "$M_WALL"
    note "$1.up" syncthing "†"
    note "$1.total" syncthing "†"
}

syncthing_A() {
    place_dataset A "$SD/c1/A"
    sync
    m_begin "${ST_PIDS[@]}"
    st_scan A
    # 0.2 s between counts: a find over 10 000 files costs ~20 ms of CPU.
    wait_until 1200 0.2 st_count_is "$SD/c2/A" "$DS_A_FILES" || warn "syncthing: A incomplete after 20 min"
    m_end
    st_one_hop A
    diff -rq --exclude=.stfolder "$SD/c1/A" "$SD/c2/A" >/dev/null || warn "syncthing: A differs"
}

syncthing_D() {
    sync
    m_begin "${ST_PIDS[@]}"
    st_scan A
    m_end
    rec D syncthing "$M_WALL"
    note D syncthing "(scan only)"
}

syncthing_B() {
    place_dataset B "$SD/c1/B"
    sync
    m_begin "${ST_PIDS[@]}"
    st_scan B
    wait_until 1200 0.02 st_file_complete "$SD/c2/B/big.bin" "$DS_B_BYTES" ||
        warn "syncthing: B incomplete after 20 min"
    m_end
    st_one_hop B
    cmp -s "$SD/c1/B/big.bin" "$SD/c2/B/big.bin" || warn "syncthing: B differs"
}

syncthing_C() {
    local b0
    # Wait until instance 2 is idle (B fully recorded) before changing.
    wait_until 60 0.2 eval '[ "$(st_api "$ST_GUI2" GET /rest/db/status?folder=B | jq -r .state)" = idle ]'
    # A second name of the old file: the new one arrives by rename, so
    # the name stops pointing at this inode when the change is complete.
    ln "$SD/c2/B/big.bin" "$SD/old-big.bin"
    apply_c "$SD/c1/B/big.bin"
    sync
    b0=$(lo_bytes)
    m_begin "${ST_PIDS[@]}"
    st_scan B
    wait_until 1200 0.02 eval '! st_same_file "$SD/c2/B/big.bin" "$SD/old-big.bin" && [ -f "$SD/c2/B/big.bin" ]' ||
        warn "syncthing: C incomplete after 20 min"
    m_end
    rec C.bytes.up syncthing $(( $(lo_bytes) - b0 ))
    note C.bytes.up syncthing "†"
    st_one_hop C
    rm -f "$SD/old-big.bin"
    cmp -s "$SD/c1/B/big.bin" "$SD/c2/B/big.bin" || warn "syncthing: C differs"
}

syncthing_E() {
    local i name t0 lat=()
    note E syncthing "watcher delay 1 s"
    inotify_arm "$SD/c2/E"
    for i in $(seq 1 "$E_WRITES"); do
        sleep 0.5
        name="e-$RUN-$i"
        t0=$EPOCHREALTIME
        head -c 4096 /dev/urandom >"$SD/c1/E/.$name.tmp" && mv "$SD/c1/E/.$name.tmp" "$SD/c1/E/$name"
        if inotify_wait "$name" 60; then
            rec E.one syncthing "$(calc "$E_ARRIVED - $t0")"
            lat+=("$(calc "$E_ARRIVED - $t0")")
        else
            warn "syncthing: E file $name not on instance 2 after 60 s"
        fi
    done
    inotify_disarm
    [ ${#lat[@]} -gt 0 ] && rec E syncthing "$(median "${lat[@]}")"
}
