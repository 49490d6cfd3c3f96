"""zcsec: security checks for IBM z/OS Connect server.xml and CICS CSD definitions."""

__version__ = "0.1.0"
