/* The compiled reader of the usual S3 server access log line (syndicate.stats._s3scan).

A line is taken only where its fields are printable ASCII and it matches s3log.USUAL (but for
its clock's offset: any that when.log_clock takes), and only with the fields s3log.parse gives
it: its UTC day, address, method, the last part of its URL-decoded key (or request path),
status, bytes sent and user agent. Any other line that is not empty is handed back, numbered,
for s3log.parse to read or to call skipped. The texts are interned: a taken line is a row of
integers (the day as days since 1970-01-01, the others as indexes into the distinct texts of
the batch), so the engine works on each distinct text once. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* -- texts interned: an open-addressing table over an arena of their bytes ------------------ */

typedef struct {
    size_t off;
    size_t len;
    uint64_t hash;
} Entry;

typedef struct {
    uint32_t *slots; /* index of an entry + 1; 0 is empty */
    size_t mask;
    Entry *entries;
    size_t n, cap;
    char *arena;
    size_t used, room;
} Table;

static uint64_t hash_bytes(const unsigned char *s, size_t len) {
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ len;
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDULL;
        h ^= h >> 32;
        s += 8;
        len -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, s, len);
    h = (h ^ w) * 0xC4CEB9FE1A85EC53ULL;
    h ^= h >> 29;
    return h;
}

static void table_free(Table *t) {
    PyMem_RawFree(t->slots);
    PyMem_RawFree(t->entries);
    PyMem_RawFree(t->arena);
    memset(t, 0, sizeof(*t));
}

static int table_init(Table *t) {
    memset(t, 0, sizeof(*t));
    t->mask = 1023;
    t->slots = PyMem_RawCalloc(t->mask + 1, sizeof(uint32_t));
    t->cap = 512;
    t->entries = PyMem_RawMalloc(t->cap * sizeof(Entry));
    t->room = 1 << 16;
    t->arena = PyMem_RawMalloc(t->room);
    if (!t->slots || !t->entries || !t->arena) {
        table_free(t);
        return -1;
    }
    return 0;
}

static int table_grow(Table *t) {
    size_t mask = t->mask * 2 + 1;
    uint32_t *slots = PyMem_RawCalloc(mask + 1, sizeof(uint32_t));
    if (!slots)
        return -1;
    for (size_t i = 0; i < t->n; i++) {
        size_t at = t->entries[i].hash & mask;
        while (slots[at])
            at = (at + 1) & mask;
        slots[at] = (uint32_t)(i + 1);
    }
    PyMem_RawFree(t->slots);
    t->slots = slots;
    t->mask = mask;
    return 0;
}

/* the index of the text s[0:len], added if new; -1 if memory ran out */
static int64_t table_id(Table *t, const unsigned char *s, size_t len) {
    uint64_t h = hash_bytes(s, len);
    size_t at = h & t->mask;
    for (;;) {
        uint32_t slot = t->slots[at];
        if (!slot)
            break;
        Entry *e = &t->entries[slot - 1];
        if (e->hash == h && e->len == len && memcmp(t->arena + e->off, s, len) == 0)
            return slot - 1;
        at = (at + 1) & t->mask;
    }
    if (t->n >= UINT32_MAX - 1)
        return -1;
    if (t->n == t->cap) {
        Entry *entries = PyMem_RawRealloc(t->entries, 2 * t->cap * sizeof(Entry));
        if (!entries)
            return -1;
        t->entries = entries;
        t->cap *= 2;
    }
    if (t->used + len + 1 > t->room) {
        size_t room = t->room * 2;
        while (t->used + len + 1 > room)
            room *= 2;
        char *arena = PyMem_RawRealloc(t->arena, room);
        if (!arena)
            return -1;
        t->arena = arena;
        t->room = room;
    }
    memcpy(t->arena + t->used, s, len);
    t->arena[t->used + len] = '\n'; /* the arena is the texts joined by line ends */
    t->entries[t->n] = (Entry){t->used, len, h};
    t->used += len + 1;
    t->slots[at] = (uint32_t)(t->n + 1);
    t->n++;
    if (t->n * 2 > t->mask && table_grow(t) < 0)
        return -1;
    return (int64_t)(t->n - 1);
}

/* the texts, in the order of their indexes, joined by line ends (which none of them holds) */
static PyObject *table_text(Table *t) {
    return PyUnicode_DecodeASCII(t->arena, (Py_ssize_t)(t->used ? t->used - 1 : 0), "strict");
}

/* -- the rows of the taken lines ------------------------------------------------------------ */

enum { DAY, IP, METHOD, NAME, STATUS, AGENT, INTS };
static const char *const COLUMN[INTS] = {"day", "ip", "method", "name", "status", "agent"};
enum { TEXTS = 4 }; /* ip, method, name, agent */

typedef struct {
    PyObject_HEAD
    int min_year, max_year;
    Table texts[TEXTS];
    int32_t *ints[INTS];
    int64_t *sent;
    size_t rows, cap;
    unsigned char *decoded; /* a key URL-decoded */
    size_t decoded_room;
    int busy;
} Scanner;

typedef struct {
    size_t n; /* line number, from 1 */
    size_t off, len;
} Handed;

static const char MONTHS[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

static int days_in_month(int y, int m) {
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return days[m - 1];
}

/* days from 1970-01-01 to y-m-d (proleptic Gregorian) */
static int32_t days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

#define DIGIT(c) ((c) >= '0' && (c) <= '9')
#define ALPHA(c) (((c) | 0x20) >= 'a' && ((c) | 0x20) <= 'z')

static int hexval(unsigned char c) {
    if (DIGIT(c))
        return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* whether every byte of p[0:n] is printable ASCII from ``lo`` (a space, or the character
   after it) to '~', and no '"'; eight bytes at a time */
static int clean(const unsigned char *p, size_t n, unsigned char lo) {
    size_t i = 0;
    uint64_t low = ONES * lo;
    for (; i + 8 <= n; i += 8) {
        uint64_t w, quotes;
        memcpy(&w, p + i, 8);
        quotes = w ^ (ONES * '"');
        /* a byte under lo borrows (its high bit set), one over '~' carries into its high bit,
           one of 128 or more has it already; a quote is a zero byte of ``quotes`` */
        if (((w - low) | (w + ONES) | w | ((quotes - ONES) & ~quotes)) & HIGHS)
            return 0;
    }
    for (; i < n; i++)
        if (p[i] < lo || p[i] > 0x7E || p[i] == '"')
            return 0;
    return 1;
}

/* a field of USUAL's [!#-~]+ then a space: its end (the space), or NULL */
static const unsigned char *field(const unsigned char *q, const unsigned char *e) {
    const unsigned char *space = memchr(q, ' ', (size_t)(e - q));
    if (!space || space == q || !clean(q, (size_t)(space - q), 0x21))
        return NULL;
    return space;
}

/* a quoted text of printable ASCII (USUAL's [^"]* where the line is printable ASCII) starting
   after its opening quote at q: its closing quote, or NULL */
static const unsigned char *quoted(const unsigned char *q, const unsigned char *e) {
    const unsigned char *quote = memchr(q, '"', (size_t)(e - q));
    if (!quote || !clean(q, (size_t)(quote - q), 0x20))
        return NULL;
    return quote;
}

/* digits at q[0:n] as a number */
static int number_of(const unsigned char *q, int n) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!DIGIT(q[i]))
            return -1;
        v = v * 10 + (q[i] - '0');
    }
    return v;
}

/* s[0:len] URL-decoded as Python's unquote does it (a '%' not before two hex digits stays as it
   is) into s->decoded; its length, or -1 where a decoded byte is no printable ASCII (the line
   is then handed back), -2 if memory ran out */
static Py_ssize_t unquote(Scanner *s, const unsigned char *p, size_t len) {
    if (len > s->decoded_room) {
        unsigned char *d = PyMem_RawRealloc(s->decoded, len);
        if (!d)
            return -2;
        s->decoded = d;
        s->decoded_room = len;
    }
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = p[i];
        if (c == '%' && i + 2 < len && hexval(p[i + 1]) >= 0 && hexval(p[i + 2]) >= 0) {
            c = (unsigned char)(hexval(p[i + 1]) * 16 + hexval(p[i + 2]));
            if (c < 0x20 || c > 0x7E)
                return -1;
            i += 2;
        }
        s->decoded[n++] = c;
    }
    return (Py_ssize_t)n;
}

/* One line p[0:len] (no newline, not empty): 1 taken (a row added), 0 handed back, -1 out of
   memory. */
static int take_line(Scanner *s, const unsigned char *p, size_t len) {
    const unsigned char *e = p + len, *q = p;
    if (memchr(p, '\r', len)) /* a carriage return ends a line for the Python reader */
        return 0;
    /* bucket owner, bucket */
    if (!(q = field(q, e)) || !(q = field(q + 1, e)))
        return 0;
    q++;
    /* [DD/Mon/YYYY:HH:MM:SS +HHMM]: the offset at most 18:59, as when.log_clock takes it */
    if (e - q < 29 || q[0] != '[' || q[3] != '/' || q[7] != '/' || q[12] != ':' ||
        q[15] != ':' || q[18] != ':' || q[21] != ' ' || (q[22] != '+' && q[22] != '-') ||
        q[27] != ']' || q[28] != ' ')
        return 0;
    int day = number_of(q + 1, 2), year = number_of(q + 8, 4), hour = number_of(q + 13, 2),
        minute = number_of(q + 16, 2), second = number_of(q + 19, 2), month = 0,
        offset_hours = number_of(q + 23, 2), offset_minutes = number_of(q + 25, 2);
    if (day < 0 || year < 0 || hour < 0 || minute < 0 || second < 0 || offset_hours < 0 ||
        offset_minutes < 0)
        return 0;
    for (int m = 0; m < 12; m++)
        if (memcmp(q + 4, MONTHS + 3 * m, 3) == 0)
            month = m + 1;
    if (!month || hour > 23 || minute > 59 || second > 59 || year < s->min_year ||
        year > s->max_year || day < 1 || day > days_in_month(year, month) ||
        offset_hours > 18 || offset_minutes > 59)
        return 0;
    /* the UTC day: the day before or after where the offset moves the clock past midnight */
    int offset = (offset_hours * 60 + offset_minutes) * (q[22] == '-' ? -1 : 1);
    int utc_minutes = hour * 60 + minute - offset;
    int shift = utc_minutes < 0 ? -1 : utc_minutes >= 24 * 60 ? 1 : 0;
    if ((shift < 0 && year == s->min_year && month == 1 && day == 1) ||
        (shift > 0 && year == s->max_year && month == 12 && day == 31))
        return 0; /* the UTC year is out of the years carried */
    q += 29;
    /* address, requester, request id, operation */
    const unsigned char *ip = q;
    if (!(q = field(q, e)))
        return 0;
    size_t ip_len = (size_t)(q - ip);
    for (int i = 0; i < 3; i++)
        if (!(q = field(q + 1, e)))
            return 0;
    q++;
    /* the key: URL-encoded ([!#-$&-~] or %XX) */
    const unsigned char *key = q;
    if (!(q = field(q, e)))
        return 0;
    size_t key_len = (size_t)(q - key);
    for (const unsigned char *c = memchr(key, '%', key_len); c;
         c = memchr(c + 3, '%', (size_t)(q - c) < 3 ? 0 : (size_t)(q - c - 3)))
        if (q - c < 3 || hexval(c[1]) < 0 || hexval(c[2]) < 0)
            return 0;
    q++;
    /* "METHOD request" */
    if (q >= e || *q != '"')
        return 0;
    const unsigned char *method = ++q;
    while (q < e && ALPHA(*q))
        q++;
    if (q == method || q >= e || *q != ' ')
        return 0;
    size_t method_len = (size_t)(q - method);
    const unsigned char *uri = ++q;
    if (!(q = quoted(q, e)))
        return 0;
    const unsigned char *request_end = q;
    if (e - q < 2 || q[1] != ' ')
        return 0;
    q += 2;
    /* status */
    if (e - q < 4 || !DIGIT(q[0]) || !DIGIT(q[1]) || !DIGIT(q[2]) || q[3] != ' ')
        return 0;
    int status = number_of(q, 3);
    q += 4;
    /* error code */
    if (!(q = field(q, e)))
        return 0;
    q++;
    /* bytes sent: - or up to 18 digits */
    int64_t sent = 0;
    if (q < e && *q == '-') {
        q++;
    } else {
        int n = 0;
        while (q < e && DIGIT(*q) && n < 19) {
            sent = sent * 10 + (*q - '0');
            q++;
            n++;
        }
        if (n == 0 || n > 18)
            return 0;
    }
    if (q >= e || *q != ' ')
        return 0;
    /* object size, total time, turnaround */
    for (int i = 0; i < 3; i++)
        if (!(q = field(q + 1, e)))
            return 0;
    q++;
    /* "referrer" "user agent" */
    if (q >= e || *q != '"')
        return 0;
    if (!(q = quoted(q + 1, e)) || e - q < 3 || q[1] != ' ' || q[2] != '"')
        return 0;
    const unsigned char *agent = q + 3, *t = quoted(agent, e);
    if (!t)
        return 0;
    size_t agent_len = (size_t)(t - agent);

    /* the path: the key URL-decoded, or where the key is "-" the request's path (what lies
       between its first space and the next, before any '?'), URL-decoded */
    const unsigned char *path = key;
    size_t path_len = key_len;
    if (key_len == 1 && key[0] == '-') {
        path = uri;
        path_len = 0;
        while (uri + path_len < request_end && uri[path_len] != ' ' && uri[path_len] != '?')
            path_len++;
    }
    Py_ssize_t decoded = unquote(s, path, path_len);
    if (decoded == -2)
        return -1;
    if (decoded < 0)
        return 0;
    size_t name = 0; /* the last part of the path, after its last '/' */
    for (Py_ssize_t i = 0; i < decoded; i++)
        if (s->decoded[i] == '/')
            name = (size_t)i + 1;

    if (s->rows == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 65536;
        for (int c = 0; c < INTS; c++) {
            int32_t *col = PyMem_RawRealloc(s->ints[c], cap * sizeof(int32_t));
            if (!col)
                return -1;
            s->ints[c] = col;
        }
        int64_t *col = PyMem_RawRealloc(s->sent, cap * sizeof(int64_t));
        if (!col)
            return -1;
        s->sent = col;
        s->cap = cap;
    }
    unsigned char upper[64];
    if (method_len > sizeof(upper))
        return 0;
    for (size_t i = 0; i < method_len; i++)
        upper[i] = method[i] & ~0x20;
    int64_t ids[TEXTS] = {
        table_id(&s->texts[0], ip, ip_len),
        table_id(&s->texts[1], upper, method_len),
        table_id(&s->texts[2], s->decoded + name, (size_t)decoded - name),
        table_id(&s->texts[3], agent, agent_len),
    };
    for (int i = 0; i < TEXTS; i++)
        if (ids[i] < 0)
            return -1;
    size_t r = s->rows++;
    s->ints[DAY][r] = days_from_civil(year, month, day) + shift;
    s->ints[IP][r] = (int32_t)ids[0];
    s->ints[METHOD][r] = (int32_t)ids[1];
    s->ints[NAME][r] = (int32_t)ids[2];
    s->ints[STATUS][r] = status;
    s->ints[AGENT][r] = (int32_t)ids[3];
    s->sent[r] = sent;
    return 1;
}

/* -- the Python type ------------------------------------------------------------------------ */

static void scanner_reset(Scanner *s) {
    for (int i = 0; i < TEXTS; i++)
        table_free(&s->texts[i]);
    for (int c = 0; c < INTS; c++) {
        PyMem_RawFree(s->ints[c]);
        s->ints[c] = NULL;
    }
    PyMem_RawFree(s->sent);
    s->sent = NULL;
    s->rows = s->cap = 0;
}

static int scanner_start(Scanner *s) {
    for (int i = 0; i < TEXTS; i++)
        if (table_init(&s->texts[i]) < 0) {
            scanner_reset(s);
            PyErr_NoMemory();
            return -1;
        }
    return 0;
}

static int scanner_init(Scanner *s, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"min_year", "max_year", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "ii", kwlist, &s->min_year, &s->max_year))
        return -1;
    scanner_reset(s);
    return scanner_start(s);
}

static void scanner_dealloc(Scanner *s) {
    scanner_reset(s);
    PyMem_RawFree(s->decoded);
    Py_TYPE(s)->tp_free((PyObject *)s);
}

static PyObject *scanner_scan(Scanner *s, PyObject *arg) {
    Py_buffer view;
    if (!s->texts[0].slots) {
        PyErr_SetString(PyExc_RuntimeError, "the scanner was not made");
        return NULL;
    }
    if (s->busy) {
        PyErr_SetString(PyExc_RuntimeError, "the scanner is reading in another thread");
        return NULL;
    }
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    const unsigned char *data = view.buf;
    size_t size = (size_t)view.len, taken = 0, handed_n = 0, handed_cap = 0, n = 0;
    Handed *handed = NULL;
    int failed = 0;
    s->busy = 1;
    Py_BEGIN_ALLOW_THREADS
    size_t at = 0;
    while (at < size) {
        const unsigned char *nl = memchr(data + at, '\n', size - at);
        size_t end = nl ? (size_t)(nl - data) : size, stop = end;
        if (nl && stop > at && data[stop - 1] == '\r')
            stop--; /* a CRLF ends a line as LF does */
        n++;
        if (stop > at) {
            int got = take_line(s, data + at, stop - at);
            if (got < 0) {
                failed = 1;
                break;
            }
            if (got) {
                taken++;
            } else {
                if (handed_n == handed_cap) {
                    handed_cap = handed_cap ? handed_cap * 2 : 64;
                    Handed *more = PyMem_RawRealloc(handed, handed_cap * sizeof(Handed));
                    if (!more) {
                        failed = 1;
                        break;
                    }
                    handed = more;
                }
                handed[handed_n++] = (Handed){n, at, stop - at};
            }
        }
        at = end + 1;
    }
    Py_END_ALLOW_THREADS
    s->busy = 0;
    PyObject *list = NULL, *out = NULL;
    if (failed) {
        PyErr_NoMemory();
        goto done;
    }
    if (!(list = PyList_New((Py_ssize_t)handed_n)))
        goto done;
    for (size_t i = 0; i < handed_n; i++) {
        PyObject *line = PyUnicode_DecodeUTF8((const char *)data + handed[i].off,
                                              (Py_ssize_t)handed[i].len, "replace");
        PyObject *item = line ? Py_BuildValue("(nN)", (Py_ssize_t)handed[i].n, line) : NULL;
        if (!item)
            goto done;
        PyList_SET_ITEM(list, (Py_ssize_t)i, item);
    }
    out = Py_BuildValue("(nO)", (Py_ssize_t)taken, list);
done:
    Py_XDECREF(list);
    PyMem_RawFree(handed);
    PyBuffer_Release(&view);
    return out;
}

static PyObject *scanner_take(Scanner *s, PyObject *Py_UNUSED(ignored)) {
    if (s->busy) {
        PyErr_SetString(PyExc_RuntimeError, "the scanner is reading in another thread");
        return NULL;
    }
    if (!s->texts[0].slots) {
        PyErr_SetString(PyExc_RuntimeError, "the scanner was not made");
        return NULL;
    }
    PyObject *columns = PyDict_New(), *out = NULL;
    if (!columns)
        return NULL;
    for (int c = 0; c < INTS; c++) {
        PyObject *b = PyBytes_FromStringAndSize((const char *)s->ints[c],
                                                (Py_ssize_t)(s->rows * sizeof(int32_t)));
        if (!b || PyDict_SetItemString(columns, COLUMN[c], b) < 0) {
            Py_XDECREF(b);
            goto done;
        }
        Py_DECREF(b);
    }
    PyObject *b = PyBytes_FromStringAndSize((const char *)s->sent,
                                            (Py_ssize_t)(s->rows * sizeof(int64_t)));
    if (!b || PyDict_SetItemString(columns, "sent", b) < 0) {
        Py_XDECREF(b);
        goto done;
    }
    Py_DECREF(b);
    PyObject *lists[TEXTS] = {NULL};
    for (int i = 0; i < TEXTS; i++)
        if (!(lists[i] = table_text(&s->texts[i]))) {
            for (int j = 0; j < i; j++)
                Py_DECREF(lists[j]);
            goto done;
        }
    out = Py_BuildValue("(nONNNN)", (Py_ssize_t)s->rows, columns, lists[0], lists[1],
                        lists[2], lists[3]);
    if (out) {
        scanner_reset(s);
        if (scanner_start(s) < 0)
            Py_CLEAR(out);
    }
done:
    Py_DECREF(columns);
    return out;
}

static PyMethodDef scanner_methods[] = {
    {"scan", (PyCFunction)scanner_scan, METH_O,
     "scan(data) -> (taken, [(line number, line)]): the lines of one log's bytes read; those "
     "not taken handed back"},
    {"take", (PyCFunction)scanner_take, METH_NOARGS,
     "take() -> (rows, {column: bytes}, ips, methods, names, agents): the rows read so far "
     "(int32 columns, sent int64), the distinct texts they index, each kind joined by line "
     "ends; and a new start"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject ScannerType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "syndicate.stats._s3scan.Scanner",
    .tp_basicsize = sizeof(Scanner),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Reads the usual S3 access log lines into rows of integers.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)scanner_init,
    .tp_dealloc = (destructor)scanner_dealloc,
    .tp_methods = scanner_methods,
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_s3scan", "The compiled reader of the usual S3 access log line.",
    -1, NULL, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__s3scan(void) {
    if (PyType_Ready(&ScannerType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m)
        return NULL;
    Py_INCREF(&ScannerType);
    if (PyModule_AddObject(m, "Scanner", (PyObject *)&ScannerType) < 0) {
        Py_DECREF(&ScannerType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
