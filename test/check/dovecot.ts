import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '../processes.ts'

export interface Dovecot { port: number, user: string, password: string, stop(): Promise<void> }

const canConnect = (port: number) => new Promise<boolean>((resolve) => {
  const socket = connect({ host: '127.0.0.1', port })
  socket.once('connect', () => { socket.destroy(); resolve(true) })
  socket.once('error', () => resolve(false))
})

/**
 * Starts Debian's Dovecot (package dovecot-pop3d, which .ci/run installs) as a POP3 server on a
 * loopback port, with its configuration, state and one user's maildrop in a temporary folder.
 */
export async function startDovecot(options: { tls?: boolean } = {}): Promise<Dovecot> {
  if (spawnSync('dovecot', ['--version']).status !== 0) {
    throw new Error('dovecot is not installed: apt-get install dovecot-pop3d (as .ci/run does)')
  }
  const dir = mkdtempSync(join(tmpdir(), 'dovecot-'))
  chmodSync(dir, 0o755)
  for (const sub of ['run', 'state', 'mail', 'home']) mkdirSync(join(dir, sub))
  const ids = spawnSync('id', ['-u', 'dovecot'], { encoding: 'utf8' })
  const uid = Number(ids.stdout.trim())
  const gid = Number(spawnSync('id', ['-g', 'dovecot'], { encoding: 'utf8' }).stdout.trim())
  for (const sub of ['mail', 'home']) chownSync(join(dir, sub), uid, gid)
  const port = await freePort()
  const user = 'alice'
  const password = 'pop3-registry-test'
  writeFileSync(join(dir, 'passwd'), `${user}:{PLAIN}${password}\n`)
  // For STLS: a self-signed certificate for 127.0.0.1, made for this run.
  const tls = options.tls
    ? spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')]).status === 0
    : false
  if (options.tls && !tls) throw new Error('openssl could not make a test certificate')
  writeFileSync(join(dir, 'dovecot.conf'), `
protocols = pop3
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
${tls ? `ssl = yes\nssl_cert = <${dir}/cert.pem\nssl_key = <${dir}/key.pem` : 'ssl = no'}
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:${dir}/mail/%u
first_valid_uid = ${uid}
default_internal_user = dovecot
default_login_user = dovenull
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=${dir}/home/%u
}
service pop3-login {
  chroot =
  inet_listener pop3 {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener pop3s {
    port = 0
  }
}
service anvil {
  chroot =
}
`)
  const child: ChildProcess = spawn('dovecot', ['-F', '-c', join(dir, 'dovecot.conf')], { stdio: 'ignore' })
  const stop = () => new Promise<void>((resolve) => {
    const done = () => { rmSync(dir, { recursive: true, force: true }); resolve() }
    if (child.exitCode !== null) return done()
    child.once('exit', done)
    child.kill('SIGTERM')
  })
  for (let waited = 0; !(await canConnect(port)); waited += 50) {
    if (child.exitCode !== null || waited > 10_000) {
      await stop()
      throw new Error(`dovecot did not start listening on ${port}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return { port, user, password, stop }
}
