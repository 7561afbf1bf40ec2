"""How much `syndicate check` reads of one answer: one place, so that publish can warn of a
page or a file it makes that check would not read whole."""

PAGE_BYTES = 8 << 20  # a page read for its links; past this its links are not followed
FILE_BYTES = 16 << 20  # a transcript or chapters file read back to be judged (check's cap)
