import * as dgram from 'node:dgram';
import { peekRequestId } from './request-id';

/**
 * A dgram look-alike for net-snmp's `dgramModule` option. net-snmp opens one UDP socket per
 * session; with a session per device that is one socket per device. Here every session gets a
 * virtual socket, and all of them share a fixed number of real sockets. Responses are routed
 * back by request id, then checked against the agent's address and port: two requests in flight
 * on one real socket never share an id, because a send that would collide goes out on another
 * real socket (with 32-bit random ids, a collision is rare).
 *
 * Socket errors are counted and passed to `onError` and to the sessions with requests in flight
 * on that socket (net-snmp itself drops them: its Session.onError emits the error object as an
 * event name).
 */
export interface UdpSocketPoolOptions {
  /** Real sockets per address family. */
  sockets: number;
  /** SO_RCVBUF to ask for; the kernel caps it at net.core.rmem_max. */
  receiveBufferBytes?: number;
  /** Local address to send from (default: any). */
  sourceAddress4?: string;
  sourceAddress6?: string;
  onError?: (error: Error) => void;
}

export interface UdpSocketPoolStats {
  sockets: number;
  sent: number;
  received: number;
  /** Well-formed responses that no request in flight waits for (late answers after a timeout). */
  unmatched: number;
  /** Datagrams that are not SNMP messages. */
  malformed: number;
  socketErrors: number;
  routes: number;
}

type Family = 'udp4' | 'udp6';

class RealSocket {
  /** Requests in flight on this socket, by request id. */
  readonly routes = new Map<number, VirtualSocket>();
  closed = false;
  constructor(
    readonly socket: dgram.Socket,
    readonly family: Family,
  ) {}
}

export class UdpSocketPool {
  private readonly real: Record<Family, RealSocket[]> = { udp4: [], udp6: [] };
  private next = 0;
  private readonly counters = { sent: 0, received: 0, unmatched: 0, malformed: 0, socketErrors: 0 };
  private closing = false;

  constructor(private readonly options: UdpSocketPoolOptions) {
    if (!Number.isInteger(options.sockets) || options.sockets < 1) throw new RangeError('sockets must be a positive whole number');
  }

  /** What net-snmp's `dgramModule` option takes. */
  readonly dgramModule = { createSocket: (type: Family | { type: Family }) => new VirtualSocket(this, typeof type === 'string' ? type : type.type) };

  stats(): UdpSocketPoolStats {
    const all = [...this.real.udp4, ...this.real.udp6];
    return { sockets: all.length, ...this.counters, routes: all.reduce((n, s) => n + s.routes.size, 0) };
  }

  async close(): Promise<void> {
    this.closing = true;
    const all = [...this.real.udp4, ...this.real.udp6];
    this.real.udp4 = [];
    this.real.udp6 = [];
    await Promise.all(all.map((s) => new Promise<void>((resolve) => (s.closed ? resolve() : s.socket.close(() => resolve())))));
  }

  /** @internal */
  assign(): number {
    return this.next++ % this.options.sockets;
  }

  /** @internal */
  send(v: VirtualSocket, buffer: Buffer, offset: number, length: number, port: number, address: string, callback?: (error: Error | null, bytes?: number) => void): void {
    if (this.closing) {
      callback?.(new Error('SNMP socket pool is closed'));
      return;
    }
    const id = peekRequestId(offset === 0 && length === buffer.length ? buffer : buffer.subarray(offset, offset + length));
    let socket: RealSocket | undefined;
    for (let tries = 0; tries < this.options.sockets; tries++) {
      const candidate = this.socketAt(v.family, (v.slot + tries) % this.options.sockets);
      const owner = id === undefined ? undefined : candidate.routes.get(id);
      if (owner === undefined || owner === v) {
        socket = candidate;
        break;
      }
    }
    if (!socket) {
      callback?.(new Error(`request id ${id} to ${address}:${port} is in flight on every socket`));
      return;
    }
    v.remoteAddress = address;
    v.remotePort = port;
    if (id !== undefined) {
      socket.routes.set(id, v);
      v.routes.set(id, socket);
    }
    this.counters.sent++;
    socket.socket.send(buffer, offset, length, port, address, (error, bytes) => {
      if (error) {
        this.surface(error);
        if (id !== undefined) v.forget(id);
      }
      callback?.(error ?? null, bytes);
    });
  }

  private socketAt(family: Family, index: number): RealSocket {
    const list = this.real[family];
    let existing = list[index];
    if (existing && !existing.closed) return existing;
    const socket = dgram.createSocket({ type: family, recvBufferSize: this.options.receiveBufferBytes });
    const real = new RealSocket(socket, family);
    socket.on('message', (msg, rinfo) => this.receive(real, msg, rinfo));
    socket.on('error', (error) => {
      this.surface(error);
      for (const v of new Set(real.routes.values())) v.socketError(error);
    });
    socket.on('close', () => {
      real.closed = true;
      if (this.closing) return;
      const error = new Error('SNMP socket closed unexpectedly');
      for (const v of new Set(real.routes.values())) v.socketError(error);
      real.routes.clear();
    });
    const source = family === 'udp4' ? this.options.sourceAddress4 : this.options.sourceAddress6;
    if (source) socket.bind({ address: source, port: 0 });
    socket.unref();
    list[index] = real;
    existing = real;
    return existing;
  }

  private receive(real: RealSocket, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    this.counters.received++;
    const id = peekRequestId(msg);
    if (id === undefined) {
      this.counters.malformed++;
      // Hand garbage to whoever waits on that agent, so its request fails now instead of timing out.
      for (const [key, v] of real.routes) if (v.remotePort === rinfo.port && v.remoteAddress === rinfo.address) v.deliver(key, msg, rinfo, false);
      return;
    }
    const v = real.routes.get(id);
    if (v === undefined || v.remotePort !== rinfo.port || v.remoteAddress !== rinfo.address) {
      this.counters.unmatched++;
      return;
    }
    v.deliver(id, msg, rinfo, true);
  }

  private surface(error: Error): void {
    this.counters.socketErrors++;
    this.options.onError?.(error);
  }

  /** @internal */
  unroute(id: number, socket: RealSocket, v: VirtualSocket): void {
    if (socket.routes.get(id) === v) socket.routes.delete(id);
  }
}

type Listener = (...args: never[]) => void;

/** What one net-snmp session sees as its socket. */
export class VirtualSocket {
  /** This session's requests in flight: request id → the real socket it went out on. */
  readonly routes = new Map<number, RealSocket>();
  readonly slot: number;
  /** The agent this session talks to (a net-snmp session has one), set at each send. */
  remoteAddress = '';
  remotePort = 0;
  private readonly listeners: Record<string, Listener[]> = {};
  private closed = false;
  /** Set by the SNMP client: told when the real socket under a request in flight fails. */
  onSocketError?: (error: Error) => void;

  constructor(
    private readonly pool: UdpSocketPool,
    readonly family: Family,
  ) {
    this.slot = pool.assign();
  }

  on(event: string, listener: Listener): this {
    (this.listeners[event] ??= []).push(listener);
    return this;
  }

  once(event: string, listener: Listener): this {
    return this.on(event, listener);
  }

  removeAllListeners(): this {
    for (const key of Object.keys(this.listeners)) delete this.listeners[key];
    return this;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  bind(): this {
    throw new Error('SNMP sessions on the shared socket pool cannot bind a source address or port of their own');
  }

  send(buffer: Buffer, offset: number, length: number, port: number, address: string, callback?: (error: Error | null, bytes?: number) => void): void {
    if (this.closed) {
      callback?.(new Error('SNMP session is closed'));
      return;
    }
    this.pool.send(this, buffer, offset, length, port, address, callback);
  }

  close(callback?: () => void): void {
    if (this.closed) return;
    this.closed = true;
    this.forgetAll();
    // net-snmp cancels its requests on 'close'; emit after the caller's stack unwinds, like dgram.
    setImmediate(() => {
      this.emit('close');
      callback?.();
    });
  }

  /** Drops the routes of requests that will get no answer (timed out or finished). */
  forgetAll(): void {
    if (this.routes.size === 0) return;
    for (const [id, socket] of this.routes) this.pool.unroute(id, socket, this);
    this.routes.clear();
  }

  forget(id: number): void {
    const socket = this.routes.get(id);
    if (socket === undefined) return;
    this.pool.unroute(id, socket, this);
    this.routes.delete(id);
  }

  /** @internal */
  deliver(id: number, msg: Buffer, rinfo: dgram.RemoteInfo, matched: boolean): void {
    if (matched) this.forget(id);
    this.emit('message', msg, rinfo);
  }

  /** @internal */
  socketError(error: Error): void {
    this.forgetAll();
    this.onSocketError?.(error);
  }

  private emit(event: string, a?: unknown, b?: unknown): void {
    const listeners = this.listeners[event];
    if (listeners === undefined) return;
    for (const listener of listeners) (listener as (a: unknown, b: unknown) => void)(a, b);
  }
}
