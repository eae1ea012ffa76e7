// The init of a fake VM: runs as pid 1 of the VM's own pid namespace (so when it exits, the kernel
// kills every process of the VM, sessions included) inside a private mount namespace, where it
// lays the VM's own files over the machine's:
//   /home, /root, /tmp             bind mounts of the VM's directories
//   /etc/passwd, /etc/group, /etc/shadow   bind mounts of the VM's user database
//   /etc/hostname                  the server name
//   /var/lib, /usr/bin             overlays (machine's files below, VM's writes above), for
//                                  /var/lib/cloud/instance/boot-finished and the cloud-init shim
// Nothing is mounted in the machine's namespace. Its stdin (fd 3 after the first line) is the
// control channel from the local cloud: "booted" writes the cloud-init marker; end of input (the
// local cloud stopped or died) ends the VM.
export const bootScript = String.raw`set -eu
exec 3<&0 </dev/null
d="$VM_DIR"
mount --bind "$d/fs/home" /home
mount --bind "$d/fs/root" /root
mount --bind "$d/etc/passwd" /etc/passwd
mount --bind "$d/etc/group" /etc/group
mount --bind "$d/etc/shadow" /etc/shadow
if [ -f /etc/hostname ]; then mount --bind "$d/etc/hostname" /etc/hostname; fi
mount -t overlay overlay -o "lowerdir=/var/lib,upperdir=$d/overlay/var-lib/upper,workdir=$d/overlay/var-lib/work" /var/lib
mount -t overlay overlay -o "lowerdir=/usr/bin,upperdir=$d/overlay/usr-bin/upper,workdir=$d/overlay/usr-bin/work" /usr/bin
mount --bind "$d/fs/tmp" /tmp
hostname "$VM_HOSTNAME"
/usr/sbin/sshd -D -f "$d/ssh/sshd_config" -E "$d/ssh/sshd.log" &
(
  while read -r cmd <&3; do
    case "$cmd" in
      booted)
        mkdir -p /var/lib/cloud/instance
        date -u +%Y-%m-%dT%H:%M:%SZ > /var/lib/cloud/instance/boot-finished
        echo booted
        ;;
    esac
  done
) &
wait -n
`

// A stand-in for `cloud-init status [--wait] [--long] [--format json]`, enough for readiness probes.
export const cloudInitShim = String.raw`#!/bin/sh
# cloud-init stand-in of the Cairn local cloud: only "status" is implemented.
marker=/var/lib/cloud/instance/boot-finished
if [ "$#" -eq 0 ] || [ "$1" != status ]; then
  echo "cloud-init (local cloud stand-in): only 'cloud-init status [--wait]' is available" >&2
  exit 1
fi
shift
wait=no
for a in "$@"; do [ "$a" = --wait ] || [ "$a" = -w ] && wait=yes; done
if [ "$wait" = yes ]; then
  while [ ! -f "$marker" ]; do printf . ; sleep 0.2; done
  [ -t 1 ] && echo
fi
if [ -f "$marker" ]; then echo "status: done"; exit 0; fi
echo "status: running"
exit 0
`
