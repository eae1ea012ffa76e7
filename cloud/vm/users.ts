import type { CloudUser } from './cloud-config'

// The fake VM's user database: the machine's own passwd/group (so system accounts such as the
// `sshd` privilege-separation user exist), minus anything clashing with the cloud-init users,
// plus those users. It is bind-mounted over /etc/passwd, /etc/group and /etc/shadow inside the
// VM's mount namespace only; the machine's files are never written.

export interface Account {
  name: string
  uid: number
  gid: number
  home: string
  shell: string
}

export interface UserDatabase {
  passwd: string
  group: string
  shadow: string
  accounts: Account[]
  /** gid by group name, for write_files owners. */
  groups: Map<string, number>
}

interface GroupLine {
  name: string
  gid: number
  members: string[]
}

function parsePasswd(text: string): Account[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 7)
    .map((f) => ({
      name: f[0] ?? '',
      uid: Number(f[2]),
      gid: Number(f[3]),
      home: f[5] ?? '/',
      shell: f[6] ?? '/bin/sh',
      gecos: f[4],
    }))
}

function parseGroup(text: string): GroupLine[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 4)
    .map((f) => ({
      name: f[0] ?? '',
      gid: Number(f[2]),
      members: (f[3] ?? '').split(',').filter((m) => m !== ''),
    }))
}

export function buildUserDatabase(
  hostPasswd: string,
  hostGroup: string,
  users: CloudUser[],
): UserDatabase {
  const wanted: Account[] = []
  const takenUids = new Set<number>()
  let nextUid = 1000
  for (const u of users) {
    if (u.name === 'root') continue
    let uid = u.uid
    if (uid === undefined) {
      while (takenUids.has(nextUid)) nextUid++
      uid = nextUid++
    }
    takenUids.add(uid)
    wanted.push({ name: u.name, uid, gid: uid, home: u.homedir, shell: u.shell })
  }
  const names = new Set(wanted.map((a) => a.name))
  const uids = new Set(wanted.map((a) => a.uid))
  const base = parsePasswd(hostPasswd).filter((a) => !names.has(a.name) && !uids.has(a.uid))
  const accounts = [...base, ...wanted]

  const groups = parseGroup(hostGroup).filter((g) => !names.has(g.name) && !uids.has(g.gid))
  for (const a of wanted) groups.push({ name: a.name, gid: a.gid, members: [] })
  let nextGid = 1100
  for (const u of users) {
    for (const name of u.groups) {
      let g = groups.find((x) => x.name === name)
      if (!g) {
        while (groups.some((x) => x.gid === nextGid)) nextGid++
        g = { name, gid: nextGid++, members: [] }
        groups.push(g)
      }
      if (!g.members.includes(u.name)) g.members.push(u.name)
    }
  }

  const passwd = accounts
    .map((a) => `${a.name}:x:${a.uid}:${a.gid}:${a.name}:${a.home}:${a.shell}`)
    .join('\n')
  const group = groups.map((g) => `${g.name}:x:${g.gid}:${g.members.join(',')}`).join('\n')
  // '*' = no password can match, while the account is not "locked" ('!'): without PAM, sshd
  // refuses even key logins for locked accounts.
  const shadow = accounts.map((a) => `${a.name}:*:19700:0:99999:7:::`).join('\n')
  return {
    passwd: passwd + '\n',
    group: group + '\n',
    shadow: shadow + '\n',
    accounts: accounts.map(({ name, uid, gid, home, shell }) => ({ name, uid, gid, home, shell })),
    groups: new Map(groups.map((g) => [g.name, g.gid])),
  }
}
