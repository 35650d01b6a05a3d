"""WeCom's callback encryption (企业微信回调加解密, the WXBizMsgCrypt scheme).

AES key: base64-decode(EncodingAESKey + "="), 32 bytes; IV: its first 16 bytes; AES-256-CBC with
PKCS#7 padding to 32-byte blocks. Plain text: 16 random bytes, the message's length (4 bytes,
network order), the message, the receiver id (the CorpID). Signature:
msg_signature = SHA-1 of the sorted, joined [Token, timestamp, nonce, Encrypt].
"""

import base64
import hashlib
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32


class CryptoError(Exception):
    pass


def _key(encoding_aes_key: str) -> bytes:
    key = base64.b64decode(encoding_aes_key + "=")
    if len(key) != 32:
        raise CryptoError("EncodingAESKey must be 43 characters")
    return key


def signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypted])).encode()).hexdigest()  # noqa: S324  (the platform's scheme)


def encrypt(
    encoding_aes_key: str, message: str, receive_id: str, random: bytes | None = None
) -> str:
    key = _key(encoding_aes_key)
    raw = message.encode()
    plain = (random or os.urandom(16)) + struct.pack(">I", len(raw)) + raw + receive_id.encode()
    pad = BLOCK - len(plain) % BLOCK
    plain += bytes([pad]) * pad
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def decrypt(encoding_aes_key: str, encrypted: str, receive_id: str) -> str:
    key = _key(encoding_aes_key)
    try:
        data = base64.b64decode(encrypted)
        decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
        plain = decryptor.update(data) + decryptor.finalize()
        pad = plain[-1]
        if not 1 <= pad <= BLOCK:
            raise CryptoError("padding")
        plain = plain[:-pad]
        (length,) = struct.unpack(">I", plain[16:20])
        message, rest = plain[20 : 20 + length], plain[20 + length :]
    except (ValueError, struct.error) as error:
        raise CryptoError("cannot decrypt") from error
    if rest.decode(errors="replace") != receive_id:
        raise CryptoError("another receiver")
    return message.decode()
