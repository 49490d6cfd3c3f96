*--------------------------------------------------------------------
* zcsec example (secure): CICS region CICSA, IPIC for the z/OS
* Connect server ZCEESRV1. Input for DFHCSDUP.
*
* Listener: TLS with client authentication, no IPCONN autoinstall.
* The DESCRIPTION below is continued: '*' in column 72, the rest of
* the text starts in column 1 of the next record.
*--------------------------------------------------------------------
 Define Tcpipservice(ZCIPIC1) Group(ZCGRP)
        DESCRIPTION(Mutual TLS IPIC listener for z/OS Connect server ZC*
EESRV1)
        Portnumber(1491) Protocol(IPIC) Trans(CISS)
        Ssl(CLIENTAUTH) Certificate(CICSA.IPIC.SERVER)
        Urm(NO) Socketclose(NO) Backlog(10)
        Ciphers(zcee-ecdhe.xml)
*
* One-way IPCONN for ZCEESRV1 (z/OS Connect only sends requests in).
* APPLID and NETWORKID equal zosConnectApplid/zosConnectNetworkid in
* server.xml. The link user is the RACF ID mapped from the server's
* client certificate; each request carries the caller's user ID.
 DEFINE IPCONN(ZCEECONN) GROUP(ZCGRP)
        DESCRIPTION(z/OS Connect server ZCEESRV1)
        APPLID(ZCEEAPPL) NETWORKID(ZCNET)
        TCPIPSERVICE(ZCIPIC1)
        SENDCOUNT(0) RECEIVECOUNT(100)
        LINKAUTH(CERTUSER) USERAUTH(IDENTIFY)
        INSERVICE(YES)
*
* Make the group part of the region's startup list (GRPLIST).
 ADD GROUP(ZCGRP) LIST(ZCLIST)
