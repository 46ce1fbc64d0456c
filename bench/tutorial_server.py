#!/usr/bin/env python3
"""The tutorial's threaded server (step 6), ported faithfully to Python 3.

This is the baseline of socktool's benchmark (bench/run): the server the
tutorial's readers start from. The code below is the tutorial's, line for
line; every change is marked with a "DEVIATION:" comment saying why. The
original (Python 2) is in the tutorial's text, digested in
shared/TUTORIAL-STEPS.md, step 6.

Usage: python3 bench/tutorial_server.py [PORT]   (0 lets the OS choose)
"""

import socket
import sys
# DEVIATION: Python 3 renamed the `thread` module to `_thread`; the tutorial's
# `from thread import *` brings in start_new_thread, so import that name.
from _thread import start_new_thread

# DEVIATION: the tutorial listens on '' (every interface). The benchmark must
# stay on loopback, so the default is 127.0.0.1; a second argument overrides.
HOST = sys.argv[2] if len(sys.argv) > 2 else '127.0.0.1'
# DEVIATION: the port comes from the command line (0 allowed) so the harness
# can run several servers side by side; the tutorial's 8888 is the default.
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8888

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
print('Socket created')

#Bind socket to local host and port
try:
    s.bind((HOST, PORT))
# DEVIATION: Python 3 syntax (`except ... as msg`); socket.error is OSError,
# whose errno/strerror replace the tutorial's msg[0]/msg[1].
except socket.error as msg:
    print('Bind failed. Error Code : ' + str(msg.errno) + ' Message ' + msg.strerror)
    sys.exit()

print('Socket bind complete')

#Start listening on socket
s.listen(10)
# DEVIATION: the tutorial prints 'Socket now listening'; the harness needs the
# real address (port 0 is resolved by the OS), in socktool's readiness format,
# flushed at once because stdout is a pipe there, not a terminal.
print('Socket now listening on %s:%d' % s.getsockname(), flush=True)

#Function for handling connections. This will be used to create threads
def clientthread(conn):
    #Sending message to connected client
    # DEVIATION: Python 3 sockets send bytes, not str, hence the b'' literals.
    conn.send(b'Welcome to the server. Type something and hit enter\n') #send only takes string

    #infinite loop so that function do not terminate and thread do not end.
    while True:

        #Receiving from client
        data = conn.recv(1024)
        reply = b'OK...' + data
        if not data:
            break

        conn.sendall(reply)

    #came out of loop
    conn.close()

#now keep talking with the client
while 1:
    #wait to accept a connection - blocking call
    conn, addr = s.accept()
    # Kept as the tutorial has it (not flushed: Python buffers stdout when it
    # is not a terminal). bench/run sends stdout to a file, never to a pipe
    # nobody reads, which would fill up and block this loop.
    print('Connected with ' + addr[0] + ':' + str(addr[1]))

    #start new thread takes 1st argument as a function name to be run, second is the tuple of arguments to the function.
    start_new_thread(clientthread ,(conn,))

s.close()
