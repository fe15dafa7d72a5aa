import { createServer, type Server, type Socket } from 'node:net'

export interface FakePop3Options {
  greeting?: string
  capaBefore: string
  capaAfter?: string
  password?: string
  /** What PASS answers when the password is wrong. */
  refusal?: string
  /** Accept connections but never answer, to test the client's deadlines. */
  silent?: boolean
}

/** A scripted POP3 server on a loopback port, enough for the CLI's conversation. */
export async function startFakePop3(options: FakePop3Options): Promise<{ port: number, commands: string[], close(): Promise<void> }> {
  const commands: string[] = []
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    if (options.silent) return
    let loggedIn = false
    let buffer = ''
    socket.write(`${options.greeting ?? '+OK fake POP3 ready'}\r\n`)
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1')
      let newline
      while ((newline = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, newline)
        buffer = buffer.slice(newline + 2)
        commands.push(line)
        const [verb = '', argument] = line.split(' ')
        switch (verb.toUpperCase()) {
          case 'CAPA': socket.write(loggedIn ? options.capaAfter ?? options.capaBefore : options.capaBefore); break
          case 'USER': socket.write('+OK\r\n'); break
          case 'PASS':
            loggedIn = argument === (options.password ?? 'secret')
            socket.write(loggedIn ? '+OK logged in\r\n' : `${options.refusal ?? '-ERR [AUTH] wrong password'}\r\n`)
            break
          case 'QUIT': socket.end('+OK bye\r\n'); break
          default: socket.write('-ERR unknown command\r\n')
        }
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as { port: number }).port,
    commands,
    close: () => new Promise((resolve) => {
      for (const socket of sockets) socket.destroy()
      server.close(() => resolve())
    }),
  }
}
