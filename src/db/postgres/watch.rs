//! The client's side of `:timeout` and Ctrl-C on PostgreSQL: a watchdog thread that frees a
//! call the server does not answer.
//!
//! The server stops a statement that runs too long by itself (`statement_timeout`), and a
//! cancel request stops one on Ctrl-C; both need a server that answers. A backend that is
//! frozen (stopped, swapped out, on a host that hangs) answers neither, and the synchronous
//! client would wait for ever. So while a call waits on the server, the watchdog keeps its time:
//! when the statement's deadline has passed (or Ctrl-C was pressed) it sends a cancel request,
//! and when the call has still not returned [`GRACE`] later it shuts the connection's socket,
//! which makes the waiting call fail at once. The connection is then gone, and the backend
//! made again for the next statement.
//!
//! The socket is shut rather than left to TCP: keepalives and `tcp_user_timeout` are answered
//! by the kernel of a host whose PostgreSQL is frozen, and a Unix socket has neither. The
//! `postgres` client does not hand out its socket, so it is found as the one socket the
//! connection added to the process, and a duplicate of it is kept: shutting the duplicate shuts
//! the connection, and the duplicate's number can never name another file meanwhile.

use postgres::{CancelToken, NoTls};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long after the deadline the cancel request is sent: the server's own
/// `statement_timeout`, which fires at the same limit, answers first when it can.
const MARGIN: Duration = Duration::from_millis(250);

/// How long the server has to answer a cancel request before its connection is shut.
pub const GRACE: Duration = Duration::from_secs(2);

/// Why the watchdog shut the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// The statement's time was up.
    Timeout,
    /// Ctrl-C.
    Interrupted,
}

/// The watchdog of one PostgreSQL connection: told when a call waits on the server, when the
/// statement's time is up and when Ctrl-C is pressed. Dropping it ends its thread.
pub struct Watch {
    shared: Arc<Shared>,
}

/// What stops the running statement from another thread (Ctrl-C), for as long as the session
/// runs, across reconnections.
#[derive(Clone)]
pub struct Stopper {
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State>,
    wake: Condvar,
    /// How many answers (rows) the running call has had: a server that keeps sending is
    /// answering, however long the call takes, and its connection is not shut.
    progress: AtomicU64,
}

#[derive(Default)]
struct State {
    /// When the running statement's time is up (its clock, see `Database::start_clock`).
    deadline: Option<Instant>,
    /// The time limit of a call that no running clock covers (`:timeout`).
    limit: Option<Duration>,
    /// When Ctrl-C was pressed during the running statement.
    stop: Option<Instant>,
    /// When the call now waiting on the server began.
    call: Option<Instant>,
    /// When a cancel request was sent for the call now waiting (or the call last made
    /// progress since), and its progress then.
    cancelled: Option<(Instant, u64)>,
    /// Why the connection's socket was shut, once it was.
    cut: Option<Cut>,
    /// The connection's socket, when it was found.
    socket: Option<socket::Socket>,
    /// What asks the server to cancel the connection's running query.
    token: Option<CancelToken>,
    /// When the watchdog wakes next by itself (none: only when told).
    wake_at: Option<Instant>,
    /// The watch was dropped: the thread ends.
    closing: bool,
}

impl State {
    /// When the call now waiting must be cancelled, and why: Ctrl-C pressed while it waits
    /// at once; otherwise the statement's deadline, or the call's own limit when it began after
    /// that deadline (a rollback) or outside any statement.
    fn due(&self, started: Instant) -> Option<(Instant, Cut)> {
        if let Some(stop) = self.stop.filter(|&s| s >= started) {
            return Some((stop, Cut::Interrupted));
        }
        let limit = match self.deadline {
            Some(deadline) if deadline >= started => Some(deadline),
            _ => self.limit.and_then(|l| started.checked_add(l)),
        };
        limit
            .and_then(|l| l.checked_add(MARGIN))
            .map(|at| (at, Cut::Timeout))
    }
}

impl Watch {
    /// A watchdog for a connection (its thread starts now).
    pub fn start() -> Watch {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
            progress: AtomicU64::new(0),
        });
        let watching = Arc::clone(&shared);
        // Without its thread the watch only forgoes the client-side stop: the server's
        // statement_timeout and cancel requests still work.
        let _ = std::thread::Builder::new()
            .name("ormscope-pg-watch".into())
            .spawn(move || watching.run());
        Watch { shared }
    }

    /// What stops the running statement from another thread.
    pub fn stopper(&self) -> Stopper {
        Stopper {
            shared: Arc::clone(&self.shared),
        }
    }

    /// A new connection: its cancel token and socket (forgetting the last one's cut).
    pub fn connected(&self, token: CancelToken, socket: Option<socket::Socket>) {
        let mut state = self.shared.lock();
        state.token = Some(token);
        state.socket = socket;
        state.cut = None;
        state.cancelled = None;
    }

    /// The statement's deadline (none: no clock runs); a new statement forgets an earlier Ctrl-C.
    pub fn set_deadline(&self, deadline: Option<Instant>) {
        let mut state = self.shared.lock();
        state.deadline = deadline;
        if deadline.is_some() {
            state.stop = None;
        }
        self.shared.wake.notify_all();
    }

    /// The time limit of one call outside a statement's clock (`:timeout`; none: no limit).
    pub fn set_limit(&self, limit: Option<Duration>) {
        self.shared.lock().limit = limit;
    }

    /// Marks a call waiting on the server until the guard is dropped (the watchdog is woken
    /// only when this call is due before it would wake anyway).
    pub fn call(&self) -> Busy<'_> {
        let mut state = self.shared.lock();
        let now = Instant::now();
        state.call = Some(now);
        state.cancelled = None;
        let due = state.due(now).map(|(at, _)| at);
        if due.is_some_and(|due| state.wake_at.is_none_or(|wake| due < wake)) {
            self.shared.wake.notify_all();
        }
        Busy { watch: self }
    }

    /// The running call had an answer (a row): the server is answering.
    pub fn progress(&self) {
        self.shared.progress.fetch_add(1, Ordering::Relaxed);
    }

    /// Why the watchdog shut the connection, if it did.
    pub fn cut(&self) -> Option<Cut> {
        self.shared.lock().cut
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.shared.lock().closing = true;
        self.shared.wake.notify_all();
    }
}

/// A call waiting on the server (see [`Watch::call`]).
pub struct Busy<'w> {
    watch: &'w Watch,
}

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        let mut state = self.watch.shared.lock();
        state.call = None;
        state.cancelled = None;
    }
}

impl Stopper {
    /// Ctrl-C: the call waiting on the server is cancelled now, and its connection shut when
    /// the server does not answer.
    pub fn interrupt(&self) {
        let mut state = self.shared.lock();
        state.stop = Some(Instant::now());
        self.shared.wake.notify_all();
    }
}

impl Shared {
    /// The state, even when a thread panicked holding it (it stays consistent: plain values).
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The watchdog's loop: sleeps until the waiting call's next moment (its cancel, then its
    /// cut), and acts when it comes.
    fn run(&self) {
        let mut state = self.lock();
        loop {
            if state.closing {
                return;
            }
            let now = Instant::now();
            let mut next = None;
            if let Some((due, why)) = state.call.and_then(|started| state.due(started)) {
                let progress = self.progress.load(Ordering::Relaxed);
                match state.cancelled {
                    None if now >= due => {
                        state.cancelled = Some((now, progress));
                        if let Some(token) = state.token.clone() {
                            // In a thread of its own: reaching a server that hangs may take
                            // the connect timeout, and the cut must not wait for it.
                            let _ = std::thread::Builder::new()
                                .name("ormscope-pg-cancel".into())
                                .spawn(move || token.cancel_query(NoTls));
                        }
                        next = now.checked_add(GRACE);
                    }
                    None => next = Some(due),
                    Some((sent, then)) => match sent.checked_add(GRACE) {
                        Some(at) if now < at => next = Some(at),
                        _ if progress != then => {
                            // Rows still come: the server answers, and stops at the cancel.
                            state.cancelled = Some((now, progress));
                            next = now.checked_add(GRACE);
                        }
                        _ if state.cut.is_none() => {
                            if let Some(socket) = &state.socket {
                                socket.shut();
                                state.cut = Some(why);
                            }
                        }
                        _ => {}
                    },
                }
            }
            state.wake_at = next;
            state = match next {
                Some(at) => {
                    let wait = at.saturating_duration_since(now);
                    match self.wake.wait_timeout(state, wait) {
                        Ok((guard, _)) => guard,
                        Err(poisoned) => poisoned.into_inner().0,
                    }
                }
                None => match self.wake.wait(state) {
                    Ok(guard) => guard,
                    Err(poisoned) => poisoned.into_inner(),
                },
            };
        }
    }
}

/// The connection's socket, found among the process's open files.
pub mod socket {
    /// The sockets open in the process now, to find the one a connection adds.
    #[derive(Debug, Default)]
    pub struct Before(Vec<i32>);

    /// A duplicate of a connection's socket; shutting it shuts the connection.
    pub struct Socket(#[cfg(unix)] std::os::fd::OwnedFd);

    impl Socket {
        /// Shuts the socket both ways: a call waiting on it returns at once.
        pub fn shut(&self) {
            #[cfg(unix)]
            {
                use std::os::fd::AsRawFd;
                // SAFETY: shutdown on a descriptor this value owns; it touches no memory.
                unsafe {
                    libc::shutdown(self.0.as_raw_fd(), libc::SHUT_RDWR);
                }
            }
        }
    }

    /// The sockets open before a connection is made.
    pub fn before() -> Before {
        Before(sockets())
    }

    /// The socket a connection made since `before` added, when there is exactly one.
    pub fn added(before: &Before) -> Option<Socket> {
        let mut new = sockets().into_iter().filter(|fd| !before.0.contains(fd));
        let (fd, more) = (new.next()?, new.next());
        if more.is_some() {
            return None;
        }
        duplicate(fd)
    }

    #[cfg(unix)]
    fn duplicate(fd: i32) -> Option<Socket> {
        use std::os::fd::BorrowedFd;
        // SAFETY: `fd` was open a moment ago and the client that owns it is alive (the caller
        // holds it); the borrow lasts only for the duplication.
        let borrowed = unsafe { BorrowedFd::borrow_raw(fd) };
        borrowed.try_clone_to_owned().ok().map(Socket)
    }

    #[cfg(not(unix))]
    fn duplicate(_fd: i32) -> Option<Socket> {
        None
    }

    /// The descriptors of the process that are sockets.
    #[cfg(unix)]
    fn sockets() -> Vec<i32> {
        let listing = std::fs::read_dir("/proc/self/fd").or_else(|_| std::fs::read_dir("/dev/fd"));
        let Ok(listing) = listing else {
            return Vec::new();
        };
        let numbers: Vec<i32> = listing
            .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
            .collect();
        numbers.into_iter().filter(|&fd| is_socket(fd)).collect()
    }

    #[cfg(not(unix))]
    fn sockets() -> Vec<i32> {
        Vec::new()
    }

    #[cfg(unix)]
    fn is_socket(fd: i32) -> bool {
        let mut stat = std::mem::MaybeUninit::<libc::stat>::uninit();
        // SAFETY: fstat writes a whole `stat` into the buffer given, or fails (a closed
        // descriptor, such as the listing's own) and leaves it unread.
        let ok = unsafe { libc::fstat(fd, stat.as_mut_ptr()) } == 0;
        // SAFETY: fstat succeeded, so the buffer is filled.
        ok && unsafe { stat.assume_init() }.st_mode & libc::S_IFMT == libc::S_IFSOCK
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_is_due_at_the_deadline_or_at_ctrl_c_or_by_its_own_limit() {
        let now = Instant::now();
        let second = Duration::from_secs(1);
        let mut state = State {
            deadline: Some(now + second),
            limit: Some(5 * second),
            ..State::default()
        };
        assert_eq!(state.due(now), Some((now + second + MARGIN, Cut::Timeout)));
        // A rollback after the deadline has its own limit, not the spent one.
        let later = now + 2 * second;
        assert_eq!(
            state.due(later),
            Some((later + 5 * second + MARGIN, Cut::Timeout))
        );
        state.stop = Some(now + second / 2);
        assert_eq!(state.due(now), Some((now + second / 2, Cut::Interrupted)));
        assert_eq!(
            state.due(later).map(|(_, why)| why),
            Some(Cut::Timeout),
            "a Ctrl-C before the call began is not the call's"
        );
        let no_limit = State::default();
        assert_eq!(no_limit.due(now), None);
    }

    #[cfg(unix)]
    #[test]
    fn the_socket_a_connection_adds_is_found_and_shutting_it_frees_a_waiting_read() {
        use std::io::Read;
        let before = socket::before();
        let pair = std::os::unix::net::UnixStream::pair().expect("a pair of sockets");
        assert!(
            socket::added(&before).is_none(),
            "two new sockets: which is the connection's cannot be told"
        );
        drop(pair);
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
        let address = listener.local_addr().expect("its address");
        // Other tests may open a socket at the same moment: then the one is not told, and the
        // connection is made again.
        let (client, found) = (0..20)
            .find_map(|_| {
                let before = socket::before();
                let client = std::net::TcpStream::connect(address).expect("connects");
                let found = socket::added(&before)?;
                Some((client, found))
            })
            .expect("the one new socket");
        let (_server_side, _) = listener.accept().expect("accepted");
        let waiting = std::thread::spawn(move || {
            let mut byte = [0u8; 1];
            (&client).read(&mut byte).map_err(|e| e.to_string())
        });
        std::thread::sleep(Duration::from_millis(100));
        found.shut();
        let read = waiting.join().expect("the reader ends");
        assert_eq!(read, Ok(0), "the read returns as at the end of the stream");
    }
}
