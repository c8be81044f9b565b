import socket

# Create a socket object
server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)

# Bind the socket to localhost on port 12345
server_socket.bind(('127.0.0.1', 12345))

# Listen for incoming connections
server_socket.listen(1)
print('Server is listening on port 12345...')

# Accept a connection
client_socket, addr = server_socket.accept()
print(f'Connection from {addr}')

# Send a message to the client
client_socket.sendall(b'Hello from server!')

# Close the connection
client_socket.close()
server_socket.close()
