/**
 * The byte stream under a ZooKeeper connection. The protocol core knows only
 * this interface; one small file per runtime implements it.
 *
 * @module
 */

/** TLS settings for a connection to ZooKeeper's secure client port. */
export interface TlsOptions {
  /** PEM certificate(s) of the authorities trusted to sign the server's certificate. */
  caCerts?: string[] | undefined;
  /** PEM client certificate, for servers that require one. */
  cert?: string | undefined;
  /** PEM private key of the client certificate. */
  key?: string | undefined;
  /** Name checked against the server's certificate; defaults to the host. */
  serverName?: string | undefined;
}

/** Where and how to connect. */
export interface TransportConnectOptions {
  /** Host name or IP address (IPv6 without brackets). */
  host: string;
  /** TCP port. */
  port: number;
  /** Use TLS with these settings. */
  tls?: TlsOptions | undefined;
  /** Aborts the connection attempt. */
  signal?: AbortSignal | undefined;
}

/**
 * What a transport reports to the connection above it. The functions are
 * the transport's to keep as it likes: called on the object, taken off it
 * or copied into another.
 */
export interface TransportHandlers {
  /**
   * Bytes arrived. The chunk is valid only during the call: the transport may
   * read the next bytes into the same memory, so whatever is kept is copied.
   */
  data(chunk: Uint8Array): void;
  /** The connection ended; `error` says why when it was not a clean close. */
  closed(error?: Error): void;
}

/** An open byte stream. */
export interface TransportConnection {
  /**
   * Queues bytes to send, in order. Never throws: a failure is reported
   * through {@linkcode TransportHandlers.closed}.
   */
  write(bytes: Uint8Array): void;
  /** Closes the connection at once; `closed` is then reported once. */
  close(): void;
}

/**
 * Opens connections. Implementations exist for Deno and Node; a custom one (a
 * proxy, an in-memory pipe) can be passed to the client.
 */
export interface Transport {
  /**
   * Connects and starts delivering data to `handlers`.
   *
   * @param options Where to connect.
   * @param handlers Receives data and the end of the connection.
   * @returns The open connection.
   */
  connect(
    options: TransportConnectOptions,
    handlers: TransportHandlers,
  ): Promise<TransportConnection>;
}
