*--------------------------------------------------------------------
* zcsec example (INSECURE on purpose): CICS region CICSB, IPIC for
* the z/OS Connect server ZCEESRV2. Input for DFHCSDUP.
*--------------------------------------------------------------------
*
* insecure: SSL(YES) is server-side TLS only. IPCONN ZCEECONN uses
*   LINKAUTH(CERTUSER), which needs SSL(CLIENTAUTH) here.
* insecure: AUTHENTICATE belongs to HTTP listeners and is not valid
*   for PROTOCOL(IPIC).
* insecure: CIPHERS allows 3DES (0A) and single DES (09) suites.
 DEFINE TCPIPSERVICE(ZCIPIC1) GROUP(ZCGRP)
        DESCRIPTION(IPIC listener for z/OS Connect server ZCEESRV2)
        PORTNUMBER(1492) PROTOCOL(IPIC) TRANSACTION(CISS)
        SSL(YES) URM(NO) SOCKETCLOSE(NO)
        AUTHENTICATE(BASIC)
        CIPHERS(352F0A09)
*
* insecure: SECURITYNAME only applies with LINKAUTH(SECUSER); next to
*   CERTUSER it is ignored and misleading.
* insecure: USERAUTH(VERIFY) expects a user ID and password on every
*   request, but connection cicsConn in server.xml sends none.
 DEFINE IPCONN(ZCEECONN) GROUP(ZCGRP)
        APPLID(ZCEEAPPL) NETWORKID(ZCNET) TCPIPSERVICE(ZCIPIC1)
        SENDCOUNT(0) RECEIVECOUNT(100)
        LINKAUTH(CERTUSER) SECURITYNAME(ZCLINK)
        USERAUTH(VERIFY)
*
 ADD GROUP(ZCGRP) LIST(ZCLIST)
