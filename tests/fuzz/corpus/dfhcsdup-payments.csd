*********************************************************************** 00000100
* DFHCSDUP input for region CICSPAY: the IPIC listener and the        * 00000200
* IPCONN for z/OS Connect server ZCSRV02 (written for the zcsec       * 00000300
* fuzz corpus).                                                       * 00000400
*********************************************************************** 00000500
 DELETE GROUP(ZCPAY)                                                    00000600
 DEFINE TCPIPSERVICE(ZCPAYIP) GROUP(ZCPAY)                              00000700
        DESCRIPTION(IPIC listener for z/OS Connect ZCSRV02: TLS, client*00000800
 certs)                                                                 00000900
        PORTNUMBER(1499) PROTOCOL(IPIC) TRANSACTION(CISS)               00001000
        SSL(CLIENTAUTH) CERTIFICATE(CICSPAY.IPIC) URM(NO)               00001100
        SOCKETCLOSE(NO) MAXDATALEN(4096) BACKLOG(20)                    00001200
 DEFINE IPCONN(ZCSRV02) GROUP(ZCPAY)                                    00001300
        APPLID(ZCSRV02) NETWORKID(NETB) TCPIPSERVICE(ZCPAYIP)           00001400
        RECEIVECOUNT(50) SENDCOUNT(0)                                   00001500
        LINKAUTH(CERTUSER) USERAUTH(IDENTIFY) IDPROP(OPTIONAL)          00001600
 DEFINE TCPIPSERVICE(ZCPAYBT) GROUP(ZCPAY)                              00001700
        PORTNUMBER(1500) PROTOCOL(IPIC) TRANSACTION(CISS)               00001800
        SSL(NO) URM(DFHISAIP)                                           00001900
 DEFINE PROGRAM(PAYINQ01) GROUP(ZCPAY) LANGUAGE(COBOL)                  00002000
        EXECKEY(USER) CONCURRENCY(THREADSAFE)                           00002100
 DEFINE TRANSACTION(ZPAY) GROUP(ZCPAY) PROGRAM(PAYINQ01)                00002200
        RESSEC(YES) CMDSEC(YES)                                         00002300
 ADD GROUP(ZCPAY) LIST(PAYLIST)                                         00002400
 LIST GROUP(ZCPAY) OBJECTS                                              00002500
