import NIOPosix

/// The threads glibc's blocking `res_nsend` runs on: a pool of its own, because a lookup
/// spends its time waiting on the network, not the CPU. On NIO's shared pool (as many
/// threads as cores) a few slow or silent name servers would hold every thread, and the
/// maildir writes of `serve` and every other lookup would queue behind them for a timeout each.
enum DNSLookupPool {
    /// How many lookups are in flight at most; more wait for a thread.
    static let threads = 32

    static let shared: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
        return pool
    }()
}
