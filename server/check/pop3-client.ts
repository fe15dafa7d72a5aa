import { connect as connectTcp, type Socket } from 'node:net'
import { connect as connectTls } from 'node:tls'

class Pop3Error extends Error {}

/**
 * A minimal POP3 client for the conformance check: it reads responses as the raw text the server
 * sent (line endings included, so bare LFs can be reported), and every step has a deadline.
 */
export class Pop3Client {
  private buffer = ''
  private waiting: (() => void) | undefined
  private failure: Error | undefined

  private constructor(private socket: Socket, private readonly timeoutMs: number) {
    this.listen(socket)
  }

  static connect(host: string, port: number, timeoutMs: number): Promise<Pop3Client> {
    return new Promise((resolve, reject) => {
      const socket = connectTcp({ host, port })
      const timer = setTimeout(() => {
        socket.destroy()
        reject(new Pop3Error(`no connection to ${host}:${port} within ${timeoutMs} ms`))
      }, timeoutMs)
      socket.once('connect', () => {
        clearTimeout(timer)
        resolve(new Pop3Client(socket, timeoutMs))
      })
      socket.once('error', (error) => {
        clearTimeout(timer)
        reject(new Pop3Error(`cannot connect to ${host}:${port}: ${error.message}`))
      })
    })
  }

  private listen(socket: Socket) {
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      this.buffer += chunk
      this.waiting?.()
    })
    socket.on('error', (error) => {
      this.failure = new Pop3Error(`connection failed: ${error.message}`)
      this.waiting?.()
    })
    socket.on('close', () => {
      this.failure ??= new Pop3Error('the server closed the connection')
      this.waiting?.()
    })
  }

  /** Waits until `complete` finds the end of a response in the buffer, and takes it. */
  private async read(what: string, complete: (buffer: string) => number): Promise<string> {
    const deadline = Date.now() + this.timeoutMs
    for (;;) {
      const end = complete(this.buffer)
      if (end >= 0) {
        const response = this.buffer.slice(0, end)
        this.buffer = this.buffer.slice(end)
        return response
      }
      if (this.failure) throw this.failure
      const left = deadline - Date.now()
      if (left <= 0) throw new Pop3Error(`no complete ${what} within ${this.timeoutMs} ms`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiting = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.waiting = undefined
    }
  }

  /** One response line, its line ending included. */
  readLine(what = 'response'): Promise<string> {
    return this.read(what, (buffer) => {
      const newline = buffer.indexOf('\n')
      return newline < 0 ? -1 : newline + 1
    })
  }

  /** A multi-line response (RFC 1939 §3): its status line and, after +OK, every line to the ".". */
  readMultiline(what: string): Promise<string> {
    return this.read(what, (buffer) => {
      const first = buffer.indexOf('\n')
      if (first < 0) return -1
      if (!buffer.startsWith('+OK')) return first + 1
      const terminator = /(^|\n)\.\r?\n/.exec(buffer.slice(first))
      return terminator ? first + terminator.index + terminator[0].length : -1
    })
  }

  send(command: string): void {
    this.socket.write(`${command}\r\n`)
  }

  /** Upgrades the connection to TLS after STLS (RFC 2595 §4), checking the certificate unless told not to. */
  startTls(servername: string, verify: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.removeAllListeners('data')
      this.socket.removeAllListeners('close')
      this.socket.removeAllListeners('error')
      const secure = connectTls({ socket: this.socket, servername, rejectUnauthorized: verify })
      const timer = setTimeout(() => {
        secure.destroy()
        reject(new Pop3Error(`no TLS handshake within ${this.timeoutMs} ms`))
      }, this.timeoutMs)
      secure.once('secureConnect', () => {
        clearTimeout(timer)
        this.socket = secure
        this.buffer = ''
        this.listen(secure)
        resolve()
      })
      secure.once('error', (error) => {
        clearTimeout(timer)
        reject(new Pop3Error(`TLS failed: ${error.message}`))
      })
    })
  }

  close(): void {
    this.socket.destroy()
  }
}
